"""Real services for the tests: PostgreSQL databases and a Redis prefix of this run's own, gRPC
servers on port 0, and the edge behind a real uvicorn socket. Everything is removed afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from edge.app import create_app
from edge.settings import EdgeSettings
from pixelflow.runtime.database import Migrations, drop_database
from pixelflow.runtime.testing import RunningService, free_port, serve_for_test
from svc_auth.migrations import MIGRATIONS as AUTH_MIGRATIONS
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings
from svc_images.migrations import MIGRATIONS as IMAGES_MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.support.http import serve_http
from tests.support.images import Listener
from tests.support.services import WorkerProcess, moto_s3, postgres_server, redis_server, running_worker
from tests.support.users import client_address, register
from tools import embedded

RUN_ID = uuid.uuid4().hex[:10]
# The configured servers; when nothing answers there, pytest_configure starts embedded ones instead
# (PIXELFLOW_TEST_EMBEDDED_DIR: where the embedded PostgreSQL keeps its data, .data/postgres by default).
POSTGRES = os.environ.get("PIXELFLOW_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("PIXELFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
USING: list[str] = []


# Browser tests share their chromium and web-app fixtures.
pytest_plugins = ["tests.support.browser_fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    # Before collection, so that test modules importing REDIS_URL see the server this run uses.
    global POSTGRES, REDIS_URL
    stack = contextlib.ExitStack()
    config.add_cleanup(stack.close)
    data_dir = Path(os.environ.get("PIXELFLOW_TEST_EMBEDDED_DIR", embedded.POSTGRES_DATA))
    POSTGRES, postgres_uses = postgres_server(POSTGRES, data_dir)
    REDIS_URL, redis_uses = redis_server(stack, REDIS_URL)
    USING[:] = [f"postgres: {postgres_uses}", f"redis: {redis_uses}"]


def pytest_report_header() -> list[str]:
    return USING


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@asynccontextmanager
async def migrated_database(name: str, migrations: Migrations) -> AsyncIterator[str]:
    """A database of this run's own, migrated with the service's real migrations, then dropped."""
    url = embedded.database_url(POSTGRES, f"pixelflow_test_{RUN_ID}_{name}")
    await migrations.upgrade(url)
    try:
        yield url
    finally:
        await drop_database(url)


@pytest.fixture(scope="session")
async def auth_database_url() -> AsyncIterator[str]:
    async with migrated_database("auth", AUTH_MIGRATIONS) as url:
        yield url


@pytest.fixture(scope="session")
def auth_settings(auth_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AuthSettings:
    # argon2id still, at a test cost: the policy is what is tested, not the cost.
    return AuthSettings(
        environment="test",
        database_url=auth_database_url,
        data_dir=tmp_path_factory.mktemp("auth-data"),
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        argon2_parallelism=1,
        shutdown_grace_seconds=5,
        redis_url=REDIS_URL,
        redis_prefix=f"pixelflow-test-{RUN_ID}",
        metrics_port=0,  # this process's /metrics is served once, by the test that reads it
        # Nothing listens there: deleted accounts wait for the tests that run an svc_auth wired to
        # this run's svc_images (tests/test_account_deletion.py), never reach another svc_images.
        images_address=f"127.0.0.1:{free_port()}",
    )


@pytest.fixture(scope="session")
async def auth_server(auth_settings: AuthSettings) -> AsyncIterator[RunningService]:
    async with serve_for_test(AuthService(auth_settings)) as running:
        yield running


@pytest.fixture(scope="session")
async def redis_prefix() -> AsyncIterator[str]:
    """This run's namespace: rate limits, Socket.IO channel and the SAQ queue name all use it."""
    prefix = f"pixelflow-test-{RUN_ID}"
    yield prefix
    redis = Redis.from_url(REDIS_URL)
    keys = [key async for key in redis.scan_iter(f"*{prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
async def images_database_url() -> AsyncIterator[str]:
    async with migrated_database("images", IMAGES_MIGRATIONS) as url:
        yield url


@pytest.fixture(scope="session")
def images_settings(
    images_database_url: str, s3_endpoint: str, auth_server: RunningService, redis_prefix: str
) -> ImagesSettings:
    return ImagesSettings(
        environment="test",
        database_url=images_database_url,
        redis_url=REDIS_URL,
        queue_name=redis_prefix,
        redis_prefix=redis_prefix,
        auth_address=auth_server.address,
        s3_endpoint=s3_endpoint,
        s3_bucket=f"pixelflow-test-{RUN_ID}",
        max_upload_bytes=2 * 1024 * 1024,
        # URL imports may reach the tests' own servers on 127.0.0.1, nothing else (real DNS stays off).
        fetch_allowed_networks=[ip_network("127.0.0.1/32")],
        reconcile_interval_seconds=0.5,
        reconcile_after_seconds=4,
        shutdown_grace_seconds=5,
        metrics_port=0,
        metrics_refresh_seconds=3600,  # only tests/test_metrics.py wants the gauges recounted
    )


@pytest.fixture(scope="session")
async def images_server(images_settings: ImagesSettings) -> AsyncIterator[RunningService]:
    async with serve_for_test(ImagesService(images_settings)) as running:
        yield running


def worker_env(images_settings: ImagesSettings, images_address: str, redis_prefix: str) -> dict[str, str]:
    return {
        "PIXELFLOW_ENV": "test",
        "PIXELFLOW_WORKER_REDIS_URL": REDIS_URL,
        "PIXELFLOW_WORKER_QUEUE_NAME": images_settings.queue_name,
        "PIXELFLOW_WORKER_IMAGES_ADDRESS": images_address,
        "PIXELFLOW_WORKER_S3_ENDPOINT": images_settings.s3_endpoint,
        "PIXELFLOW_WORKER_S3_BUCKET": images_settings.s3_bucket,
        "PIXELFLOW_WORKER_SHUTDOWN_GRACE_SECONDS": "5",
        # A port of its own for every worker process a test starts.
        "PIXELFLOW_WORKER_METRICS_PORT": str(free_port()),
    }


@pytest.fixture(scope="session")
async def worker(
    images_server: RunningService,
    images_settings: ImagesSettings,
    redis_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[WorkerProcess]:
    env = worker_env(images_settings, images_server.address, redis_prefix)
    async with running_worker(env, tmp_path_factory.mktemp("worker") / "worker.log") as process:
        yield process


def edge_settings_for(auth_address: str, redis_prefix: str, **overrides: Any) -> EdgeSettings:
    defaults: dict[str, Any] = {"web_dist": Path("/nonexistent"), "metrics_port": 0}
    return EdgeSettings(
        environment="test",
        auth_address=auth_address,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        **(defaults | overrides),
    )


@pytest.fixture(scope="session")
async def edge_url(auth_server: RunningService, images_server: RunningService, redis_prefix: str) -> AsyncIterator[str]:
    settings = edge_settings_for(auth_server.address, redis_prefix, images_address=images_server.address)
    async with serve_http(create_app(settings)) as url:
        yield url


@pytest.fixture
async def http(edge_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=edge_url, headers={"X-Forwarded-For": client_address()}, timeout=30
    ) as client:
        yield client


@pytest.fixture
async def owner(http: httpx.AsyncClient) -> dict[str, Any]:
    """A freshly registered user (the session of `register`)."""
    return await register(http)


@pytest.fixture
async def listener(edge_url: str, owner: dict[str, Any]) -> AsyncIterator[Listener]:
    """`owner`'s Socket.IO connection, collecting `image.updated` events."""
    listening = Listener()
    await listening.connect(edge_url, owner["access_token"])
    yield listening
    await listening.close()
