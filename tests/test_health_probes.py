"""The container health checks, run as the Dockerfile runs them, against live and absent services."""

from __future__ import annotations

import asyncio
import os
import sys
from urllib.parse import urlsplit

import pytest

from pixelflow.runtime.testing import RunningService, free_port
from tests.conftest import REDIS_URL


async def _probe(module: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, env=os.environ | env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_grpc_services(auth_server: RunningService, images_server: RunningService) -> None:
    auth_port = auth_server.address.rsplit(":", 1)[1]
    images_port = images_server.address.rsplit(":", 1)[1]
    assert await _probe("svc_auth.health", {"PIXELFLOW_AUTH_PORT": auth_port}) == (0, "")
    assert await _probe("svc_images.health", {"PIXELFLOW_IMAGES_PORT": images_port}) == (0, "")
    code, err = await _probe("svc_auth.health", {"PIXELFLOW_AUTH_PORT": str(free_port())})
    assert code == 1
    assert "UNAVAILABLE" in err


async def test_edge(edge_url: str) -> None:
    port = str(urlsplit(edge_url).port)
    assert await _probe("edge.health", {"PIXELFLOW_EDGE_PORT": port}) == (0, "")
    code, err = await _probe("edge.health", {"PIXELFLOW_EDGE_PORT": str(free_port())})
    assert code == 1
    assert err.startswith("unhealthy: http://127.0.0.1:")


@pytest.mark.usefixtures("worker")
async def test_worker(images_server: RunningService, redis_prefix: str) -> None:
    env = {"PIXELFLOW_WORKER_REDIS_URL": REDIS_URL, "PIXELFLOW_WORKER_QUEUE_NAME": redis_prefix}
    for _ in range(40):  # a new worker publishes its stats within seconds
        code, err = await _probe("svc_worker.health", env)
        if code == 0:
            break
        await asyncio.sleep(0.5)
    assert (code, err) == (0, "")
    idle = await _probe("svc_worker.health", env | {"PIXELFLOW_WORKER_QUEUE_NAME": f"{redis_prefix}-nobody"})
    assert idle[0] == 1
    assert "no live worker" in idle[1]
    down = await _probe("svc_worker.health", env | {"PIXELFLOW_WORKER_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert down[0] == 1
    assert "Redis" in down[1]
