"""The backfill: a database and bucket as the release before the variants left them are upgraded
(migration 3), and the queue gives every done image its thumbnail, widths, placeholder and location
flag while it stays `done`; an image whose original is gone is marked and not tried again."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path

import asyncpg
import pytest

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.public import PublicImage
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import worker_env
from tests.support import formats
from tests.support.images import GARDEN_PNG
from tests.support.migrations import previous_release, upgrade
from tests.support.services import running_worker
from tests.support.users import PASSWORD, unique_email
from tests.support.variants import camera_photo

WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 stands-in-for-a-webp"
INSERT_IMAGE = (
    "INSERT INTO images (id, user_id, original_name, content_type, original_key, status, width, height,"
    " size_bytes, generation, uploaded_at, updated_at, processed_at)"
    " VALUES ($1, $2, $3, $4, $5, 'done', $6, $7, $8, 0, now(), now(), now())"
)
INSERT_OUTPUT = (
    "INSERT INTO image_outputs (image_id, name, key, content_type, width, height, size_bytes, created_at)"
    " VALUES ($1, 'optimized', $2, 'image/webp', $3, $4, $5, now())"
)


async def _wait_until_backfilled(url: str, timeout: float = 120) -> None:
    """Until no done image is left without a placeholder (made, or "" for a failed backfill)."""
    db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        async with asyncio.timeout(timeout):
            while await db.fetchval("SELECT count(*) FROM images WHERE placeholder IS NULL"):  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.3)
        assert await db.fetchval("SELECT count(*) FROM images WHERE status <> 'done'") == 0
    finally:
        await db.close()


async def test_images_of_the_previous_version_get_their_variants(
    images_settings: ImagesSettings, auth_server: RunningService, redis_prefix: str, tmp_path: Path
) -> None:
    auth = auth_pb2_grpc.AuthStub(auth_server.channel)
    session = await auth.Register(auth_pb2.RegisterRequest(email=unique_email("backfill"), password=PASSWORD))
    owner = uuid.UUID(session.user.id)
    photo, png, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    originals = {
        photo: ("trip.jpg", "image/jpeg", camera_photo(900, 1400), 1400, 900),
        png: ("garden.png", "image/png", GARDEN_PNG.read_bytes(), 320, 200),
        gone: ("lost.jpg", "image/jpeg", formats.jpeg(formats.gradient(64, 64)), 64, 64),
    }
    async with previous_release(MIGRATIONS, tmp_path, name="variants_upgrade", last=2) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            for image_id, (name, content_type, data, width, height) in originals.items():
                key = f"originals/{owner}/{image_id}"
                await db.execute(INSERT_IMAGE, image_id, owner, name, content_type, key, width, height, len(data))
                optimized = f"outputs/{owner}/{image_id}/optimized.webp"
                await db.execute(INSERT_OUTPUT, image_id, optimized, width, height, len(WEBP))
        finally:
            await db.close()
        assert (await upgrade(MIGRATIONS, url))[0] == "3"

        settings = images_settings.model_copy(
            update={"database_url": url, "queue_name": f"{redis_prefix}-backfill", "backfill_interval_seconds": 0.3}
        )
        async with serve_for_test(ImagesService(settings)) as images:
            store = ObjectStore(s3_client(settings), settings.s3_bucket)
            try:
                for image_id, (_, _, data, _, _) in originals.items():
                    await store.client.put_object(
                        settings.s3_bucket, f"outputs/{owner}/{image_id}/optimized.webp", io.BytesIO(WEBP), len(WEBP)
                    )
                    if image_id != gone:
                        await store.client.put_object(
                            settings.s3_bucket, f"originals/{owner}/{image_id}", io.BytesIO(data), len(data)
                        )
            finally:
                await store.close()
            env = worker_env(settings, images.address, redis_prefix)
            async with running_worker(env, tmp_path / "worker.log") as worker:
                try:
                    await _wait_until_backfilled(url)
                except TimeoutError:
                    pytest.fail(worker.log())
            stub = images_pb2_grpc.ImagesStub(images.channel)
            metadata = (("authorization", f"Bearer {session.access_token}"),)
            page = await stub.ListImages(images_pb2.ListImagesRequest(), metadata=metadata)
            backfilled = {image.id: PublicImage.from_message(image) for image in page.images}
            assert {image.status for image in backfilled.values()} == {"done"}

    trip, garden, lost = backfilled[str(photo)], backfilled[str(png)], backfilled[str(gone)]
    assert [(v.name, v.width, v.height) for v in trip.variants] == [
        ("thumbnail", 128, 128),
        ("w320", 320, 206),
        ("w640", 640, 411),
        ("w1280", 1280, 823),
        ("optimized", 1400, 900),  # the row of the previous release, kept as it was
    ]
    assert (trip.original_has_location, trip.optimized_size_bytes) == (True, len(WEBP))
    assert [v.name for v in garden.variants] == ["thumbnail", "optimized"]
    assert garden.original_has_location is False
    assert garden.placeholder
    # Its original is missing: it keeps its optimized WebP, has no placeholder, and is left alone.
    assert ([v.name for v in lost.variants], lost.placeholder) == (["optimized"], None)
