"""Outputs as a list: a database of the release before `image_outputs` is migrated and read back
through the gRPC API (stored object included), and a worker of that release can still report."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
import grpc
import pytest

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.support.migrations import previous_release, upgrade
from tests.support.users import PASSWORD, unique_email
from tests.test_quota import ParkedQueue

WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 stands-in-for-a-webp"
INSERT_IMAGE = (
    "INSERT INTO images (id, user_id, original_name, content_type, original_key, status, width, height,"
    " size_bytes, optimized_key, optimized_width, optimized_height, optimized_size_bytes, generation,"
    " uploaded_at, updated_at, processed_at)"
    " VALUES ($1, $2, $3, 'image/png', 'k' || $1::uuid::text, $4::varchar, 40000, 100, 5000, $5, $6, $7, $8, 0,"
    " now() - $9::interval, now(), CASE WHEN $4::varchar = 'done' THEN now() END)"
)


async def _session(auth_server: RunningService) -> auth_pb2.Session:
    stub = auth_pb2_grpc.AuthStub(auth_server.channel)
    session: auth_pb2.Session = await stub.Register(
        auth_pb2.RegisterRequest(email=unique_email("outputs"), password=PASSWORD)
    )
    return session


async def _an_older_worker_still_reports(images: RunningService, settings: ImagesSettings, image_id: str) -> None:
    """The ticket names the output both ways; the old fields of a report stand for `optimized` (the
    variants come later, from the backfill)."""
    processing = images_pb2_grpc.ImageProcessingStub(images.channel)
    service = (("authorization", f"Service {settings.internal_token.get_secret_value()}"),)
    ticket = await processing.StartProcessing(images_pb2.StartProcessingRequest(image_id=image_id), metadata=service)
    [spec] = [output for output in ticket.outputs if output.name == "optimized"]
    assert (spec.name, spec.format, spec.quality, spec.effort, spec.max_width, spec.max_height) == (
        "optimized",
        "webp",
        settings.webp_quality,
        settings.webp_effort,
        0,
        0,
    )
    assert ticket.optimized_key == spec.key == f"outputs/{ticket.image.user_id}/{image_id}/optimized.webp"
    unplanned = images_pb2.OutputResult(name="poster", content_type="image/webp", width=1, height=1, size_bytes=1)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await processing.CompleteProcessing(
            images_pb2.CompleteProcessingRequest(image_id=image_id, results=[unplanned]), metadata=service
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    old_report = images_pb2.CompleteProcessingRequest(image_id=image_id, width=16383, height=41, optimized_size_bytes=7)
    done = await processing.CompleteProcessing(old_report, metadata=service)
    assert (done.status, done.width, done.height, done.optimized_size_bytes) == (
        images_pb2.IMAGE_STATUS_DONE,
        16383,
        41,
        7,
    )


async def test_a_database_of_the_previous_version_keeps_its_results(
    images_settings: ImagesSettings, auth_server: RunningService, tmp_path: Path
) -> None:
    session = await _session(auth_server)
    owner_id = uuid.UUID(session.user.id)
    done, queued = uuid.uuid4(), uuid.uuid4()
    old_key = f"optimized/{owner_id}/{done}.webp"
    async with previous_release(MIGRATIONS, tmp_path, name="outputs_upgrade", last=1) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            # A panorama scaled down to WebP's limit, and one still waiting for the worker.
            await db.execute(
                INSERT_IMAGE, done, owner_id, "wide.png", "done", old_key, 16383, 41, len(WEBP), timedelta(hours=1)
            )
            await db.execute(INSERT_IMAGE, queued, owner_id, "next.png", "queued", None, None, None, None, timedelta(0))
        finally:
            await db.close()
        assert (await upgrade(MIGRATIONS, url))[0] == "2"  # later migrations follow

        settings = images_settings.model_copy(update={"database_url": url})
        async with serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images:
            store = ObjectStore(s3_client(settings), settings.s3_bucket)
            try:
                await store.client.put_object(settings.s3_bucket, old_key, io.BytesIO(WEBP), len(WEBP))
            finally:
                await store.close()
            stub = images_pb2_grpc.ImagesStub(images.channel)
            auth = (("authorization", f"Bearer {session.access_token}"),)
            page = await stub.ListImages(images_pb2.ListImagesRequest(), metadata=auth)
            chunks = [
                c
                async for c in stub.DownloadOptimized(images_pb2.DownloadOptimizedRequest(id=str(done)), metadata=auth)
            ]
            usage = await stub.GetUsage(images_pb2.GetUsageRequest(), metadata=auth)
            with pytest.raises(grpc.aio.AioRpcError) as not_ready:
                await stub.DownloadOptimized(images_pb2.DownloadOptimizedRequest(id=str(queued)), metadata=auth).read()
            await _an_older_worker_still_reports(images, settings, str(queued))

        newest, oldest = page.images
        assert (newest.id, newest.status, newest.width, newest.height) == (
            str(queued),
            images_pb2.IMAGE_STATUS_QUEUED,
            40000,
            100,
        )
        assert (newest.optimized_size_bytes, newest.downscaled) == (0, False)
        assert (oldest.id, oldest.status, oldest.width, oldest.height) == (
            str(done),
            images_pb2.IMAGE_STATUS_DONE,
            16383,
            41,
        )
        assert (oldest.optimized_size_bytes, oldest.downscaled) == (len(WEBP), True)
        assert chunks[0].header.content_type == "image/webp"
        assert b"".join(c.chunk for c in chunks[1:]) == WEBP
        assert usage.used_bytes == 2 * 5000 + len(WEBP)
        assert not_ready.value.code() is grpc.StatusCode.FAILED_PRECONDITION
