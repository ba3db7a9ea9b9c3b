"""The fixtures every browser test shares (a pytest plugin, see tests/conftest.py): one chromium per
module, and the edge serving the built web app in front of the session's services."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from edge.app import create_app
from edge.settings import EdgeSettings
from pixelflow.runtime.testing import RunningService
from tests.conftest import edge_settings_for
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, WEB_DIST
from tests.support.http import serve_http
from tests.support.services import WorkerProcess


def web_app_settings(auth_server: RunningService, images_server: RunningService, redis_prefix: str) -> EdgeSettings:
    assert (WEB_DIST / "index.html").exists(), "build the web app first: make web"
    return edge_settings_for(
        auth_server.address,
        redis_prefix,
        images_address=images_server.address,
        web_dist=WEB_DIST,
        # Several accounts and sign-ins from one address; the limit itself is tested elsewhere.
        auth_rate_limit_per_minute=1000,
    )


@pytest.fixture(scope="module")
async def app_url(
    auth_server: RunningService, images_server: RunningService, worker: WorkerProcess, redis_prefix: str
) -> AsyncIterator[str]:
    async with serve_http(create_app(web_app_settings(auth_server, images_server, redis_prefix))) as url:
        yield url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()
