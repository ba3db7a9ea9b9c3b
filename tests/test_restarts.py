"""Restarting svc_images behind a running edge: requests wait instead of failing, and an upload
cut by the restart gets a clear 503 and leaves nothing behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from edge.app import create_app
from pixelflow.media.storage import s3_client
from pixelflow.runtime import ServiceRunner
from pixelflow.runtime.testing import RunningService, free_port
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, upload
from tests.support.users import bearer, register

pytestmark = pytest.mark.faults


@pytest.fixture
def restartable(images_settings: ImagesSettings) -> ImagesSettings:
    return images_settings.model_copy(update={"port": free_port(), "drain_seconds": 0.3, "shutdown_grace_seconds": 1})


async def _runner(settings: ImagesSettings) -> ServiceRunner:
    runner = ServiceRunner(ImagesService(settings), settings)
    await runner.start()
    return runner


@pytest.fixture
async def edge_before(
    restartable: ImagesSettings, auth_server: RunningService, redis_prefix: str
) -> AsyncIterator[str]:
    settings = edge_settings_for(auth_server.address, redis_prefix, images_address=f"127.0.0.1:{restartable.port}")
    async with serve_http(create_app(settings)) as url:
        yield url


async def test_a_restart_under_load_drops_no_request(restartable: ImagesSettings, edge_before: str) -> None:
    first = await _runner(restartable)
    async with httpx.AsyncClient(base_url=edge_before, timeout=30) as client:
        owner = await register(client)
        assert (await upload(client, owner, GARDEN_PNG.read_bytes())).status_code == 201
        statuses: list[int] = []
        stop = asyncio.Event()

        async def keep_asking() -> None:
            while not stop.is_set():
                statuses.append((await client.get("/api/images/latest", headers=bearer(owner))).status_code)

        askers = [asyncio.create_task(keep_asking()) for _ in range(8)]
        await asyncio.sleep(0.5)
        before_restart = len(statuses)
        await first.stop()  # NOT_SERVING, drain, stop with grace
        second = await _runner(restartable)
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*askers)
        await second.stop()
    assert before_restart > 20
    assert len(statuses) > before_restart
    assert set(statuses) == {200}


async def test_an_upload_cut_by_a_restart_is_503_and_leaves_nothing(
    restartable: ImagesSettings, edge_before: str
) -> None:
    runner = await _runner(restartable)
    photo = ORIENTED_JPEG.read_bytes()
    async with httpx.AsyncClient(base_url=edge_before, timeout=30) as client:
        owner = await register(client)
        boundary = "cut-by-restart"

        async def slow_body() -> AsyncIterator[bytes]:
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.jpg"\r\n\r\n'.encode()
                + photo
            )
            for _ in range(40):  # far longer than the restart's grace
                await asyncio.sleep(0.1)
                yield b"\0" * 4096
            yield f"\r\n--{boundary}--\r\n".encode()

        headers = bearer(owner) | {"content-type": f"multipart/form-data; boundary={boundary}"}
        uploading = asyncio.create_task(client.post("/api/images", content=slow_body(), headers=headers))
        await asyncio.sleep(0.8)
        await runner.stop()
        answer = await uploading
        assert answer.status_code == 503, answer.text
        assert "try again" in answer.json()["detail"]

        runner = await _runner(restartable)
        try:
            listed = await client.get("/api/images", headers=bearer(owner))
            assert listed.json() == {"items": [], "next_cursor": None}
        finally:
            await runner.stop()
    storage = s3_client(restartable)
    try:
        leftovers = await storage.list_objects(restartable.s3_bucket, prefix=f"originals/{owner['user']['id']}/")
        assert list(leftovers) == []
    finally:
        await storage.close_session()  # type: ignore[no-untyped-call]
