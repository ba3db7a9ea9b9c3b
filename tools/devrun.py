"""`make dev`: runs every pixelflow process in one terminal, each line prefixed by its name.

PostgreSQL, Redis and S3 are the configured ones when they answer; otherwise embedded ones start
first (tools/embedded.py, tools/local_s3.py), each with its data under `.data/`. Then the migrations
run, then the services. Ctrl-C (or SIGTERM) stops them all gracefully, the dependencies last; if one
dies, the rest are stopped too, so a broken service is never hidden behind the others' logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pydantic_settings import BaseSettings

from edge.settings import EdgeSettings
from pixelflow.runtime.testing import free_port
from svc_auth.settings import AuthSettings
from svc_images.settings import ImagesSettings
from svc_worker.settings import WorkerSettings
from tools import embedded
from tools.settings_table import env_name

COLORS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[31m"]
RESET = "\033[0m"
STOP_TIMEOUT_SECONDS = 20


DEV_S3_PORT = 9000

POSTGRES_SETTINGS: list[tuple[type[BaseSettings], str]] = [
    (AuthSettings, "database_url"),
    (ImagesSettings, "database_url"),
]
REDIS_SETTINGS: list[tuple[type[BaseSettings], str]] = [
    (ImagesSettings, "redis_url"),
    (WorkerSettings, "redis_url"),
    (EdgeSettings, "redis_url"),
]


@dataclass(frozen=True)
class Process:
    name: str
    args: list[str]
    # A dependency: the services start once this says it is ready.
    ready: Callable[[], bool] | None = None


@dataclass
class Dependency:
    """Which PostgreSQL, Redis or S3 `make dev` uses: the configured one, or an embedded `process`."""

    name: str
    uses: str
    process: Process | None = None
    # The services' environment for the embedded one, known once it is ready.
    env: Callable[[], dict[str, str]] = field(default=dict)


def configured(settings: list[tuple[type[BaseSettings], str]], env: dict[str, str]) -> dict[str, str]:
    """Each service's URL for a dependency, by the variable that sets it (its default when unset)."""
    urls = {}
    for cls, name in settings:
        variable = env_name(cls, name, cls.model_fields[name])
        urls[variable] = env.get(variable, str(cls.model_fields[name].default))
    return urls


def _choose(urls: dict[str, str], embedded_as: str) -> tuple[dict[str, str], str]:
    """The URLs that nothing answers at, and what `make dev` says it uses."""
    down = {variable: url for variable, url in urls.items() if not embedded.answers(url)}
    addresses = [embedded.address(url) for url in (down or urls).values()]
    return down, embedded.uses(addresses, embedded_as if down else None)


def postgres(env: dict[str, str], python: str) -> Dependency:
    data = embedded.POSTGRES_DATA
    down, uses = _choose(configured(POSTGRES_SETTINGS, env), f"embedded {embedded.POSTGRES_NAME} in {data}")
    if not down:
        return Dependency("postgres", uses)

    def server_env() -> dict[str, str]:
        server = embedded.running_postgres(data)
        assert server is not None
        return {variable: embedded.with_server(url, server) for variable, url in down.items()}

    process = Process(
        "postgres",
        [python, "-m", "tools.embedded", "postgres", "--dir", str(data)],
        ready=lambda: embedded.running_postgres(data) is not None,
    )
    return Dependency("postgres", uses, process, server_env)


def redis(env: dict[str, str], python: str) -> Dependency:
    port = free_port()
    server = embedded.redis_url(port)
    down, uses = _choose(configured(REDIS_SETTINGS, env), f"embedded {embedded.REDIS_NAME} at {server}")
    if not down:
        return Dependency("redis", uses)
    command = [python, "-m", "tools.embedded", "redis", "--port", str(port), "--dir", str(embedded.REDIS_DATA)]
    process = Process("redis", command, ready=lambda: embedded.answers(server))
    return Dependency(
        "redis", uses, process, lambda: {variable: embedded.with_server(url, server) for variable, url in down.items()}
    )


def s3(env: dict[str, str], python: str) -> Dependency:
    if "PIXELFLOW_IMAGES_S3_ENDPOINT" in env:
        return Dependency("s3", f"{env['PIXELFLOW_IMAGES_S3_ENDPOINT']} (configured)")
    server = f"http://127.0.0.1:{DEV_S3_PORT}"
    process = Process(
        "s3", [python, "-m", "tools.local_s3", "--port", str(DEV_S3_PORT)], ready=lambda: embedded.answers(server)
    )
    return Dependency("s3", f"embedded moto server at {server} (no PIXELFLOW_IMAGES_S3_ENDPOINT)", process)


def dependencies(env: dict[str, str]) -> list[Dependency]:
    return [postgres(env, sys.executable), redis(env, sys.executable), s3(env, sys.executable)]


def services() -> list[Process]:
    python = sys.executable
    return [
        Process("auth", [python, "-m", "svc_auth"]),
        Process("images", [python, "-m", "svc_images"]),
        Process("worker", [python, "-m", "svc_worker"]),
        Process("edge", [python, "-m", "edge"]),
    ]


MIGRATIONS = [
    Process("migrate", [sys.executable, "-m", "svc_auth.migrations"]),
    Process("migrate", [sys.executable, "-m", "svc_images.migrations"]),
]


class Supervisor:
    def __init__(self, env: dict[str, str], width: int) -> None:
        self.env = env
        self.width = width
        self.running: dict[str, asyncio.subprocess.Process] = {}
        self.pumps: list[asyncio.Task[None]] = []
        self.stop = asyncio.Event()

    async def start(self, process: Process) -> asyncio.subprocess.Process:
        child = await asyncio.create_subprocess_exec(
            *process.args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self.env,
            start_new_session=True,  # Ctrl-C reaches only this supervisor, which stops children in order
        )
        assert child.stdout is not None
        color = COLORS[len(self.pumps) % len(COLORS)]
        self.pumps.append(asyncio.create_task(_pump(process.name, color, self.width, child.stdout)))
        return child

    async def ready(self, process: Process, child: asyncio.subprocess.Process) -> bool:
        """Waits until `process` is ready; False when it exited or Ctrl-C came first."""
        assert process.ready is not None
        deadline = asyncio.get_running_loop().time() + embedded.STARTUP_SECONDS
        while not await asyncio.to_thread(process.ready):
            if child.returncode is not None or self.stop.is_set():
                return False
            if asyncio.get_running_loop().time() > deadline:
                print(f"devrun: {process.name} is not ready after {embedded.STARTUP_SECONDS:.0f} s", flush=True)
                return False
            await asyncio.sleep(0.2)
        return True

    async def shutdown(self) -> None:
        # Reverse start order: the edge stops before the services it calls, the databases last.
        for child in reversed(self.running.values()):
            if child.returncode is None:
                child.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(child.wait(), STOP_TIMEOUT_SECONDS)
                except TimeoutError:
                    child.kill()
        await asyncio.gather(*self.pumps, return_exceptions=True)


async def _pump(name: str, color: str, width: int, stream: asyncio.StreamReader) -> None:
    prefix = f"{color}{name.ljust(width)} |{RESET} " if sys.stdout.isatty() else f"{name.ljust(width)} | "
    async for line in stream:
        sys.stdout.write(prefix + line.decode(errors="replace"))
        sys.stdout.flush()


async def _prepare(supervisor: Supervisor, chosen: list[Dependency]) -> bool:
    """Starts the embedded dependencies and applies the migrations; False when something failed first."""
    for dependency in chosen:
        if dependency.process is None:
            continue
        child = await supervisor.start(dependency.process)
        supervisor.running[dependency.name] = child
        if not await supervisor.ready(dependency.process, child):
            return False
        supervisor.env |= dependency.env()
    for migration in MIGRATIONS:
        child = await supervisor.start(migration)
        if await child.wait() != 0 or supervisor.stop.is_set():
            return False
    return True


def metrics_urls(env: dict[str, str]) -> dict[str, str]:
    """Where each process serves Prometheus `/metrics` (its settings, as the environment sets them)."""
    urls = {}
    with _environment(env):
        for name, settings in (
            ("edge", EdgeSettings()),
            ("auth", AuthSettings()),
            ("images", ImagesSettings()),
            ("worker", WorkerSettings()),
        ):
            if settings.metrics_port:
                urls[name] = f"http://{settings.metrics_host}:{settings.metrics_port}/metrics"
    return urls


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def main(*, migrate_only: bool = False) -> int:
    env = os.environ | {
        "PIXELFLOW_ENV": os.environ.get("PIXELFLOW_ENV", "development"),
        "PYTHONUNBUFFERED": "1",
        "MALLOC_ARENA_MAX": "2",  # as the images run it (docker/Dockerfile)
    }
    chosen = [postgres(env, sys.executable)] if migrate_only else dependencies(env)
    for dependency in chosen:
        print(f"devrun: {dependency.name}: {dependency.uses}", flush=True)
    wanted = [] if migrate_only else services()
    width = max(len(name) for name in [*(d.name for d in chosen), "migrate", *(p.name for p in wanted)])
    supervisor = Supervisor(dict(env), width)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, supervisor.stop.set)

    if not await _prepare(supervisor, chosen):
        print("devrun: the dependencies or migrations did not come up; stopping", flush=True)
        await supervisor.shutdown()
        return 0 if supervisor.stop.is_set() else 1
    if migrate_only:
        await supervisor.shutdown()
        return 0
    for process in wanted:
        supervisor.running[process.name] = await supervisor.start(process)
    for name, url in metrics_urls(supervisor.env).items():
        print(f"devrun: {name} metrics at {url}", flush=True)

    waits = {asyncio.create_task(child.wait()): name for name, child in supervisor.running.items()}
    stopper = asyncio.create_task(supervisor.stop.wait())
    done, _ = await asyncio.wait([*waits, stopper], return_when=asyncio.FIRST_COMPLETED)
    failed = [waits[task] for task in done if task in waits]
    if failed:
        print(f"devrun: {', '.join(failed)} exited; stopping the others", flush=True)
    await supervisor.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    # --migrate: only the migrations, on an embedded PostgreSQL for as long as they run when none answers.
    sys.exit(asyncio.run(main(migrate_only=sys.argv[1:] == ["--migrate"])))
