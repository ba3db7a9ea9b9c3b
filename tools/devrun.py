"""`make dev`: runs every pixelflow process in one terminal, each line prefixed by its name.

Ctrl-C (or SIGTERM) stops them all gracefully; if one dies, the rest are stopped too, so a broken
service is never hidden behind the others' logs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass

COLORS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[31m"]
RESET = "\033[0m"
STOP_TIMEOUT_SECONDS = 20


DEV_S3_PORT = 9000


@dataclass(frozen=True)
class Process:
    name: str
    args: list[str]
    # Started only once this loopback port answers (what the process needs at startup).
    after_port: int | None = None


def processes(env: dict[str, str]) -> list[Process]:
    python = sys.executable
    local_s3 = "PIXELFLOW_IMAGES_S3_ENDPOINT" not in env
    s3_port = DEV_S3_PORT if local_s3 else None
    wanted = [Process("s3", [python, "-m", "tools.local_s3", "--port", str(DEV_S3_PORT)])] if local_s3 else []
    return [
        *wanted,
        Process("auth", [python, "-m", "svc_auth"]),
        Process("images", [python, "-m", "svc_images"], after_port=s3_port),
        Process("worker", [python, "-m", "svc_worker"], after_port=s3_port),
        Process("edge", [python, "-m", "edge"]),
    ]


async def _port_answers(port: int, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
        else:
            writer.close()
            return


async def _pump(name: str, color: str, width: int, stream: asyncio.StreamReader) -> None:
    prefix = f"{color}{name.ljust(width)} |{RESET} " if sys.stdout.isatty() else f"{name.ljust(width)} | "
    async for line in stream:
        sys.stdout.write(prefix + line.decode(errors="replace"))
        sys.stdout.flush()


async def main() -> int:
    env = os.environ | {
        "PIXELFLOW_ENV": os.environ.get("PIXELFLOW_ENV", "development"),
        "PYTHONUNBUFFERED": "1",
        "MALLOC_ARENA_MAX": "2",  # as the images run it (docker/Dockerfile)
    }
    wanted = processes(env)
    width = max(len(p.name) for p in wanted)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    running: dict[str, asyncio.subprocess.Process] = {}
    pumps = []
    for index, process in enumerate(wanted):
        if process.after_port is not None:
            await _port_answers(process.after_port)
        child = await asyncio.create_subprocess_exec(
            *process.args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C reaches only this supervisor, which stops children in order
        )
        running[process.name] = child
        assert child.stdout is not None
        pumps.append(asyncio.create_task(_pump(process.name, COLORS[index % len(COLORS)], width, child.stdout)))

    waits = {asyncio.create_task(child.wait()): name for name, child in running.items()}
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*waits, stopper], return_when=asyncio.FIRST_COMPLETED)
    failed = [waits[task] for task in done if task in waits]
    if failed:
        print(f"devrun: {', '.join(failed)} exited; stopping the others", flush=True)

    # Reverse start order: the edge stops before the services it calls.
    for child in reversed(running.values()):
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(child.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                child.kill()
    await asyncio.gather(*pumps, return_exceptions=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
