"""Load on the running system: concurrent users stay apart, the API holds under fuzzing, and one
edge carries hundreds of sockets."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psutil
import pytest
import socketio

from pixelflow.runtime.testing import RunningService, free_port
from tests.conftest import REDIS_URL
from tests.support.images import GARDEN_PNG, Listener, upload
from tests.support.users import client_address, register

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("worker")]

USERS = 10
UPLOADS_EACH = 10


async def test_ten_users_ten_uploads_each_see_only_their_own(edge_url: str) -> None:
    clients = [
        httpx.AsyncClient(base_url=edge_url, headers={"X-Forwarded-For": client_address()}, timeout=120)
        for _ in range(USERS)
    ]
    sessions = [await register(client) for client in clients]
    listeners = [Listener() for _ in sessions]
    for listening, session in zip(listeners, sessions, strict=True):
        await listening.connect(edge_url, session["access_token"])
    photo = GARDEN_PNG.read_bytes()

    async def uploads_of(client: httpx.AsyncClient, session: dict[str, Any]) -> list[httpx.Response]:
        return list(
            await asyncio.gather(*(upload(client, session, photo, filename=f"{n}.png") for n in range(UPLOADS_EACH)))
        )

    answers = await asyncio.gather(*(uploads_of(c, s) for c, s in zip(clients, sessions, strict=True)))
    assert [r.status_code for responses in answers for r in responses] == [201] * USERS * UPLOADS_EACH
    owned = [{r.json()["id"] for r in responses} for responses in answers]
    for listening, ids in zip(listeners, owned, strict=True):
        for image_id in ids:
            await listening.wait_for(image_id, "done", timeout=180)
    for listening, ids in zip(listeners, owned, strict=True):
        assert {event["id"] for event in listening.events} == ids  # its own, and no one else's
        done = [event["id"] for event in listening.events if event["status"] == "done"]
        assert sorted(done) == sorted(ids)  # exactly one `done` each
        await listening.close()
    for client in clients:
        await client.aclose()


@pytest.fixture
async def edge_process(
    auth_server: RunningService, images_server: RunningService, redis_prefix: str
) -> AsyncIterator[tuple[str, psutil.Process]]:
    port = free_port()
    env = os.environ | {
        "PIXELFLOW_ENV": "test",
        "PIXELFLOW_LOG_LEVEL": "WARNING",
        "PIXELFLOW_EDGE_PORT": str(port),
        "PIXELFLOW_EDGE_AUTH_ADDRESS": auth_server.address,
        "PIXELFLOW_EDGE_IMAGES_ADDRESS": images_server.address,
        "PIXELFLOW_EDGE_REDIS_URL": REDIS_URL,
        "PIXELFLOW_EDGE_REDIS_PREFIX": redis_prefix,
        "PIXELFLOW_EDGE_WEB_DIST": "/nonexistent",
    }
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "edge", env=env)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(100):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    yield url, psutil.Process(process.pid)
    process.terminate()
    await asyncio.wait_for(process.wait(), 20)


async def test_five_hundred_sockets_on_one_edge(
    edge_process: tuple[str, psutil.Process], http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    url, edge = edge_process
    session = await register(http)
    warm = socketio.AsyncClient(reconnection=False)
    await warm.connect(url, auth={"token": session["access_token"]}, transports=["websocket"])
    before = edge.memory_info().rss
    sockets = [socketio.AsyncClient(reconnection=False) for _ in range(500)]
    for start in range(0, len(sockets), 50):
        await asyncio.gather(
            *(
                sock.connect(url, auth={"token": session["access_token"]}, transports=["websocket"], wait_timeout=20)
                for sock in sockets[start : start + 50]
            )
        )
    assert all(sock.connected for sock in sockets)
    await asyncio.sleep(0.5)
    per_connection = (edge.memory_info().rss - before) / len(sockets)
    with capsys.disabled():
        print(f"\n500 Socket.IO connections on one edge: {per_connection / 1024:.1f} KiB of edge memory each")
    assert per_connection < 256 * 1024
    await asyncio.gather(*(sock.disconnect() for sock in [warm, *sockets]))
