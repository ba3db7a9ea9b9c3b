"""Dependencies going down under a running svc_images: a quick, clear 503, `/readyz` naming the
dependency, nothing half-written, and recovery without a restart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from edge.app import create_app
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, upload
from tests.support.proxy import FaultyProxy
from tests.support.users import bearer, register
from tools import embedded

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
async def links(images_settings: ImagesSettings) -> AsyncIterator[dict[str, FaultyProxy]]:
    database = urlsplit(images_settings.database_url)
    unix = embedded.socket_path(images_settings.database_url)
    s3_host, s3_port = images_settings.s3_endpoint.split(":")
    proxies = {
        "database": FaultyProxy(str(unix))
        if unix
        else FaultyProxy(database.hostname or "127.0.0.1", database.port or 5432),
        "storage": FaultyProxy(s3_host, int(s3_port)),
    }
    for proxy in proxies.values():
        await proxy.up()
    yield proxies
    for proxy in proxies.values():
        await proxy.down()


@pytest.fixture(scope="module")
async def fragile_edge(
    links: dict[str, FaultyProxy], images_settings: ImagesSettings, auth_server: RunningService, redis_prefix: str
) -> AsyncIterator[str]:
    database = urlsplit(images_settings.database_url)
    settings = images_settings.model_copy(
        update={
            "database_url": urlunsplit(database._replace(netloc=f"postgres@{links['database'].address}")),
            "s3_endpoint": links["storage"].address,
            "health_interval_seconds": 0.2,
            "health_timeout_seconds": 1.0,
            "s3_connect_timeout_seconds": 1.0,
        }
    )
    async with serve_for_test(ImagesService(settings)) as images:
        edge = edge_settings_for(auth_server.address, redis_prefix, images_address=images.address)
        async with serve_http(create_app(edge)) as url:
            yield url


async def _wait_ready(client: httpx.AsyncClient, expect: int, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get("/readyz")
        if response.status_code == expect or time.monotonic() > deadline:
            assert response.status_code == expect, response.text
            body: dict[str, Any] = response.json()
            return body
        await asyncio.sleep(0.1)


@pytest.mark.parametrize(
    ("dependency", "message"),
    [
        ("storage", "image storage is unavailable, try again shortly"),
        ("database", "the database is unavailable, try again shortly"),
    ],
)
async def test_an_outage_is_a_quick_503_and_heals_by_itself(
    fragile_edge: str, links: dict[str, FaultyProxy], dependency: str, message: str
) -> None:
    async with httpx.AsyncClient(base_url=fragile_edge, timeout=30) as client:
        owner = await register(client)
        assert (await upload(client, owner, GARDEN_PNG.read_bytes(), filename="before.png")).status_code == 201
        await _wait_ready(client, 200)

        await links[dependency].down()
        try:
            started = time.monotonic()
            refused = await upload(client, owner, GARDEN_PNG.read_bytes(), filename="during.png")
            assert refused.status_code == 503, refused.text
            assert refused.json() == {"detail": message}
            assert time.monotonic() - started < 8
            ready = await _wait_ready(client, 503)
            assert ready["detail"] == f"not ready: images ({dependency})"
        finally:
            await links[dependency].up()

        await _wait_ready(client, 200)
        recovered = await upload(client, owner, GARDEN_PNG.read_bytes(), filename="after.png")
        assert recovered.status_code == 201, recovered.text
        names = [
            item["original_name"] for item in (await client.get("/api/images", headers=bearer(owner))).json()["items"]
        ]
        assert names == ["after.png", "before.png"]  # nothing of the failed upload remains
