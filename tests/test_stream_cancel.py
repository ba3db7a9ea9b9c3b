"""A server stream whose client leaves midway (a 304, a closed connection, a deadline) ends quietly:
no ERROR line, no "exception was never retrieved", and no database connection left checked out."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
import pyvips
from tortoise.transactions import in_transaction

from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.runtime import AuthKind, Call, rpc
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.models import Image
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.support.images import Listener, upload
from tests.support.services import WorkerProcess
from tests.support.users import bearer


def noisy_jpeg(side: int = 900) -> bytes:
    """Noise compresses badly: its WebP spans many stream messages and more than a flow-control window."""
    noise = pyvips.Image.gaussnoise(side, side, sigma=60)
    data: bytes = noise.bandjoin([noise.rot90(), noise.flipver()]).cast("uchar").jpegsave_buffer(Q=85)
    return data


def checked_out_connections(images_server: RunningService) -> int:
    pool = images_server.runner.service.db.connections.get("default")._pool  # type: ignore[attr-defined]
    return int(pool.get_size() - pool.get_idle_size())


async def test_cancelled_streams_end_quietly(
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    listener: Listener,
    worker: WorkerProcess,
    images_server: RunningService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    created = await upload(http, owner, noisy_jpeg())
    assert created.status_code == 201, created.text
    done = await listener.wait_for(created.json()["id"], "done")
    assert done["optimized_size_bytes"] > 256 * 1024
    full = await http.get(done["optimized_url"], headers=bearer(owner))
    assert len(full.content) == done["optimized_size_bytes"]
    caplog.clear()
    caplog.set_level(logging.INFO)

    for _ in range(5):  # the edge cancels after the header
        again = await http.get(done["optimized_url"], headers=bearer(owner) | {"If-None-Match": full.headers["etag"]})
        assert again.status_code == 304
    for _ in range(3):  # the HTTP client leaves after the first bytes
        async with http.stream("GET", done["optimized_url"], headers=bearer(owner)) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_raw():
                assert chunk
                break

    stub = images_pb2_grpc.ImagesStub(images_server.channel)
    metadata = (("authorization", f"Bearer {owner['access_token']}"),)
    for _ in range(3):  # a gRPC client cancels after the header
        call = stub.DownloadOptimized(images_pb2.DownloadOptimizedRequest(id=done["id"]), metadata=metadata)
        assert (await call.read()).HasField("header")
        call.cancel()

    # Whatever a cancelled call left behind shows itself when it is collected.
    for _ in range(50):
        gc.collect()
        await asyncio.sleep(0.1)
        if checked_out_connections(images_server) == 0:
            break
    assert checked_out_connections(images_server) == 0

    assert_quiet(caplog)


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or "never retrieved" in r.getMessage()]
    assert not noisy, [f"{r.name}: {r.getMessage()}\n{r.exc_text}" for r in noisy]


class HeldImages(ImagesService):
    """Answers DownloadOptimized with its header, then holds a database transaction until the call ends."""

    held = asyncio.Event()

    @rpc(auth=AuthKind.NONE)
    async def download_optimized(
        self, request: images_pb2.DownloadOptimizedRequest, call: Call
    ) -> AsyncIterator[images_pb2.DownloadChunk]:
        async with in_transaction():
            await Image.all().count()
            yield images_pb2.DownloadChunk(header=images_pb2.DownloadHeader(etag="held"))
            self.held.set()
            await asyncio.Event().wait()
            yield images_pb2.DownloadChunk(chunk=b"never")


async def test_a_stream_cancelled_midway_releases_its_connection(
    images_settings: ImagesSettings, caplog: pytest.LogCaptureFixture
) -> None:
    service = HeldImages(images_settings, store=None, jobs=None, tokens=None, reconcile=None)
    async with serve_for_test(service) as running:
        stub = images_pb2_grpc.ImagesStub(running.channel)
        caplog.set_level(logging.INFO)
        for ending in ("cancel", "deadline") * 2:
            HeldImages.held.clear()
            call = stub.DownloadOptimized(
                images_pb2.DownloadOptimizedRequest(), timeout=1 if ending == "deadline" else 30
            )
            assert (await call.read()).header.etag == "held"
            await HeldImages.held.wait()
            assert checked_out_connections(running) == 1
            if ending == "cancel":
                call.cancel()
            else:
                with pytest.raises(grpc.aio.AioRpcError) as failed:
                    await call.read()
                assert failed.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
            for _ in range(50):
                await asyncio.sleep(0.05)
                if checked_out_connections(running) == 0:
                    break
            assert checked_out_connections(running) == 0
        gc.collect()
        await asyncio.sleep(0.2)
    access = [r.getMessage() for r in caplog.records if r.name == "pixelflow.access"]
    assert sum("DownloadOptimized CANCELLED" in line for line in access) == 4, access
    assert_quiet(caplog)
