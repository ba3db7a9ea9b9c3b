"""The whole system as `make dev` runs it, on free ports and with its own databases and Redis
prefix, for the end-to-end parts of the benchmark."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from redis.asyncio import Redis

from pixelflow.runtime.database import drop_database
from pixelflow.runtime.testing import free_port

ROOT = Path(__file__).parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
WEB_DIST = ROOT / "web" / "dist"
MIB = 1024 * 1024


@dataclass
class System:
    max_upload_bytes: int
    tag: str = field(default_factory=lambda: f"bench{os.getpid()}")
    # On a busy shared host the services can take longer than this to answer /readyz.
    ready_seconds: float = 180  # services start slowly on a loaded, shared machine
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ports = {name: free_port() for name in ("s3", "auth", "images", "edge")}
        self.url = f"http://127.0.0.1:{self.ports['edge']}"
        self.auth_db = f"{POSTGRES}/pixelflow_{self.tag}_auth"
        self.images_db = f"{POSTGRES}/pixelflow_{self.tag}_images"
        self.log = ROOT / "bench" / "results" / f"system-{self.tag}.log"

    def env(self) -> dict[str, str]:
        s3 = f"127.0.0.1:{self.ports['s3']}"
        return os.environ | {
            "PIXELFLOW_ENV": "development",
            "PIXELFLOW_LOG_LEVEL": "WARNING",
            "MALLOC_ARENA_MAX": "2",
            "PIXELFLOW_AUTH_PORT": str(self.ports["auth"]),
            "PIXELFLOW_AUTH_DATABASE_URL": self.auth_db,
            "PIXELFLOW_AUTH_DATA_DIR": str(ROOT / ".data" / "bench-auth"),
            "PIXELFLOW_IMAGES_PORT": str(self.ports["images"]),
            "PIXELFLOW_IMAGES_DATABASE_URL": self.images_db,
            "PIXELFLOW_IMAGES_AUTH_ADDRESS": f"127.0.0.1:{self.ports['auth']}",
            "PIXELFLOW_IMAGES_QUEUE_NAME": self.tag,
            # svc_images publishes `image.updated` on the edge's channel: the same prefix.
            "PIXELFLOW_IMAGES_REDIS_PREFIX": self.tag,
            "PIXELFLOW_IMAGES_S3_ENDPOINT": s3,
            "PIXELFLOW_IMAGES_MAX_UPLOAD_BYTES": str(self.max_upload_bytes),
            "PIXELFLOW_WORKER_QUEUE_NAME": self.tag,
            "PIXELFLOW_WORKER_REDIS_PREFIX": self.tag,
            "PIXELFLOW_WORKER_IMAGES_ADDRESS": f"127.0.0.1:{self.ports['images']}",
            "PIXELFLOW_WORKER_S3_ENDPOINT": s3,
            "PIXELFLOW_EDGE_PORT": str(self.ports["edge"]),
            "PIXELFLOW_EDGE_AUTH_ADDRESS": f"127.0.0.1:{self.ports['auth']}",
            "PIXELFLOW_EDGE_IMAGES_ADDRESS": f"127.0.0.1:{self.ports['images']}",
            "PIXELFLOW_EDGE_REDIS_PREFIX": self.tag,
            "PIXELFLOW_EDGE_AUTH_RATE_LIMIT_PER_MINUTE": "100000",
            "PIXELFLOW_EDGE_MAX_UPLOAD_BODY_BYTES": str(self.max_upload_bytes + MIB),
            # The web app when it is built (`make web`): the hostile part measures `/` as people get it.
            "PIXELFLOW_EDGE_WEB_DIST": str(WEB_DIST if (WEB_DIST / "index.html").is_file() else "/nonexistent"),
        }

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        log = self.log.open("wb")
        env = self.env()
        for module in ("svc_auth.migrations", "svc_images.migrations"):
            subprocess.run([sys.executable, "-m", module], env=env, check=True, stdout=log, stderr=log)
        commands = {
            "s3": ["-m", "tools.local_s3", "--port", str(self.ports["s3"])],
            "auth": ["-m", "svc_auth"],
            "images": ["-m", "svc_images"],
            "worker": ["-m", "svc_worker"],
            "edge": ["-m", "edge"],
        }
        try:
            for name, args in commands.items():
                self.processes[name] = subprocess.Popen([sys.executable, *args], env=env, stdout=log, stderr=log)
                if name == "s3":
                    self._wait_for_port(self.ports["s3"])
            self._wait_ready()
        except BaseException:
            # A system that never became ready must not outlive the benchmark that started it.
            self.stop()
            raise

    def _wait_for_port(self, port: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"nothing answers on port {port}; see {self.log}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the system did not become ready; see {self.log}")

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        asyncio.run(self._clean())

    async def _clean(self) -> None:
        await drop_database(self.auth_db)
        await drop_database(self.images_db)
        redis = Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(f"*{self.tag}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
