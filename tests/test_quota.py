"""The per-account storage quota: uploads within it work, one that would pass it is refused with 413
naming the quota and leaves nothing, racing uploads cannot share room, and usage counts results."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
import pyvips

from edge.app import create_app
from pixelflow.errors import ERROR_KIND_KEY
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images import quota
from svc_images.migrations import MIGRATIONS
from svc_images.models import Image
from svc_images.queue import JobQueue
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for, migrated_database
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, upload
from tests.support.migrations import previous_release, upgrade
from tests.support.users import bearer, client_address, register

PNG = GARDEN_PNG.read_bytes()
# Room for three and a half of these PNGs; one upload may hold room for 1.2 of them.
QUOTA = 3 * len(PNG) + len(PNG) // 2
MAX_UPLOAD = len(PNG) + len(PNG) // 5


class ParkedQueue(JobQueue):
    """Takes every image and converts none, so usage holds originals only."""

    def __init__(self) -> None:
        pass

    async def enqueue_processing(self, image: Image) -> bool:
        return True

    async def is_waiting(self, image: Image) -> bool:
        return True

    async def jobs_waiting(self) -> bool:
        return True  # so the backfill never queues anything either


@dataclass
class QuotaStack:
    settings: ImagesSettings
    images: RunningService
    http: httpx.AsyncClient
    db: asyncpg.Connection

    async def stored_keys(self, owner: dict[str, Any]) -> list[str]:
        client = s3_client(self.settings)
        try:
            objects = await client.list_objects(
                self.settings.s3_bucket, prefix=f"originals/{owner['user']['id']}/", recursive=True
            )
            return [str(obj.object_name) for obj in objects]
        finally:
            await client.close_session()  # type: ignore[no-untyped-call]

    async def rows(self, owner: dict[str, Any]) -> int:
        count: int = await self.db.fetchval(
            "SELECT count(*) FROM images WHERE user_id = $1", uuid.UUID(owner["user"]["id"])
        )
        return count

    async def reservations(self, owner: dict[str, Any]) -> int:
        count: int = await self.db.fetchval(
            "SELECT count(*) FROM upload_reservations WHERE user_id = $1", uuid.UUID(owner["user"]["id"])
        )
        return count

    async def usage(self, owner: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.get("/api/usage", headers=bearer(owner))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
async def stack(
    images_settings: ImagesSettings, auth_server: RunningService, redis_prefix: str
) -> AsyncIterator[QuotaStack]:
    """svc_images with a small quota, on a database of its own, behind an edge of its own."""
    async with migrated_database("quota", MIGRATIONS) as url:
        # A small probe, so a refused upload is already streaming into S3 when it passes its room.
        settings = images_settings.model_copy(
            update={"database_url": url, "quota_bytes": QUOTA, "max_upload_bytes": MAX_UPLOAD, "probe_bytes": 4096}
        )
        edge = edge_settings_for(auth_server.address, redis_prefix)
        async with serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images:
            edge = edge.model_copy(update={"images_address": images.address})
            async with (
                serve_http(create_app(edge)) as edge_url,
                httpx.AsyncClient(base_url=edge_url, headers={"X-Forwarded-For": client_address()}, timeout=30) as http,
            ):
                db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
                try:
                    yield QuotaStack(settings=settings, images=images, http=http, db=db)
                finally:
                    await db.close()


def padded_png(size: int) -> bytes:
    """A valid image of exactly `size` bytes: a tiny PNG, then filler after its end."""
    tiny: bytes = pyvips.Image.black(2, 2).pngsave_buffer()
    assert size >= len(tiny)
    return tiny + b"\0" * (size - len(tiny))


async def test_uploads_fill_the_quota_and_the_next_is_refused_with_413(stack: QuotaStack) -> None:
    owner = await register(stack.http)
    # Left by an upload whose process died: once expired it holds nothing, and is cleared.
    await stack.db.execute(
        "INSERT INTO upload_reservations (id, user_id, size_bytes, expires_at) VALUES ($1, $2, $3, $4)",
        uuid.uuid4(),
        uuid.UUID(owner["user"]["id"]),
        QUOTA,
        datetime.now(UTC) - timedelta(seconds=1),
    )
    assert await stack.usage(owner) == {"used_bytes": 0, "quota_bytes": QUOTA}

    for index in range(3):
        accepted = await upload(stack.http, owner, PNG, filename=f"{index}.png", content_type="image/png")
        assert accepted.status_code == 201, accepted.text
    assert await stack.reservations(owner) == 0

    left = QUOTA - 3 * len(PNG)
    passing = await upload(stack.http, owner, PNG, filename="too-much.png", content_type="image/png")
    assert passing.status_code == 413
    assert passing.json() == {
        "detail": f"the file would pass the storage quota of {QUOTA:,} bytes: {left:,} bytes are left"
    }
    assert len(await stack.stored_keys(owner)) == await stack.rows(owner) == 3
    assert await stack.reservations(owner) == 0

    exact = await upload(stack.http, owner, padded_png(left), filename="last.png", content_type="image/png")
    assert exact.status_code == 201, exact.text
    assert await stack.usage(owner) == {"used_bytes": QUOTA, "quota_bytes": QUOTA}

    full = await upload(stack.http, owner, padded_png(1000), filename="one-more.png", content_type="image/png")
    assert full.status_code == 413
    assert full.json() == {"detail": f"the storage quota of {QUOTA:,} bytes is used up ({QUOTA:,} bytes stored)"}
    assert len(await stack.stored_keys(owner)) == await stack.rows(owner) == 4

    # Someone else's quota is their own.
    other = await register(stack.http)
    assert (await upload(stack.http, other, PNG, filename="mine.png", content_type="image/png")).status_code == 201


def _upload_call(
    stack: QuotaStack,
    owner: dict[str, Any],
    gate: asyncio.Event,
    sent: list[int],
    *,
    declared_size: int = 0,
    body: bytes = PNG,
) -> Awaitable[images_pb2.Image]:
    """A gRPC upload that sends its metadata, then waits at `gate` before sending any file byte."""

    async def requests() -> AsyncIterator[images_pb2.UploadRequest]:
        metadata = images_pb2.UploadMetadata(filename="race.png", declared_size=declared_size)
        yield images_pb2.UploadRequest(metadata=metadata)
        await gate.wait()
        for start in range(0, len(body), 64 * 1024):
            sent.append(1)
            yield images_pb2.UploadRequest(chunk=body[start : start + 64 * 1024])

    stub = images_pb2_grpc.ImagesStub(stack.images.channel)
    call: Awaitable[images_pb2.Image] = stub.Upload(
        requests(), metadata=(("authorization", f"Bearer {owner['access_token']}"),), timeout=30
    )
    return call


async def _eventually(condition: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(200):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def test_racing_uploads_cannot_share_the_room(stack: QuotaStack) -> None:
    owner = await register(stack.http)
    gate = asyncio.Event()
    sent: list[int] = []
    calls = [asyncio.ensure_future(_upload_call(stack, owner, gate, sent)) for _ in range(6)]

    # Room is decided before any file byte is read: with all six waiting, three hold room
    # (1.2 + 1.2 + 1.1 PNGs) and three were refused at once, before sending a single chunk.
    async def all_decided() -> bool:
        return sum(call.done() for call in calls) + await stack.reservations(owner) == 6

    await _eventually(all_decided)
    refused = [call for call in calls if call.done()]
    assert len(refused) == 3
    assert sent == []
    for call in refused:
        error = call.exception()
        assert isinstance(error, grpc.aio.AioRpcError)
        assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        assert dict(error.trailing_metadata() or ())[ERROR_KIND_KEY] == "quota_exceeded"
        assert error.details() == (
            f"the storage quota of {QUOTA:,} bytes is used up"
            f" (0 bytes stored, {QUOTA:,} bytes held by uploads in progress)"
        )

    gate.set()
    stored = await asyncio.gather(*(call for call in calls if call not in refused))
    assert [image.size_bytes for image in stored] == [len(PNG)] * 3
    assert len(await stack.stored_keys(owner)) == await stack.rows(owner) == 3
    assert await stack.reservations(owner) == 0
    assert await stack.usage(owner) == {"used_bytes": 3 * len(PNG), "quota_bytes": QUOTA}


async def test_an_upload_that_declares_its_size_holds_only_that(stack: QuotaStack) -> None:
    owner = await register(stack.http)
    gate = asyncio.Event()
    sent: list[int] = []
    # Undeclared, each would hold MAX_UPLOAD (1.2 PNGs) and only two of three would find room besides
    # the liar's; declared, the three honest uploads hold exactly their files and all fit.
    honest = [asyncio.ensure_future(_upload_call(stack, owner, gate, sent, declared_size=len(PNG))) for _ in range(3)]
    liar = asyncio.ensure_future(_upload_call(stack, owner, gate, sent, declared_size=len(PNG) // 4))

    async def all_holding() -> bool:
        return await stack.reservations(owner) == 4

    await _eventually(all_holding)
    assert not any(call.done() for call in [*honest, liar])
    gate.set()
    stored = await asyncio.gather(*honest)
    assert [image.size_bytes for image in stored] == [len(PNG)] * 3
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await liar
    assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert refused.value.details() == f"the file is larger than the {len(PNG) // 4:,} bytes its upload declared"
    assert len(await stack.stored_keys(owner)) == await stack.rows(owner) == 3
    assert await stack.reservations(owner) == 0


async def test_usage_needs_a_token(stack: QuotaStack) -> None:
    response = await stack.http.get("/api/usage")
    assert response.status_code == 401
    schema = (await stack.http.get("/openapi.json")).json()
    assert set(schema["paths"]["/api/usage"]["get"]["responses"]) == {"200", "401", "503"}


@pytest.mark.usefixtures("worker")
async def test_usage_counts_the_original_and_its_results(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, images_settings: ImagesSettings
) -> None:
    original = ORIENTED_JPEG.read_bytes()
    response = await upload(http, owner, original, filename="ladybird.jpg")
    assert response.status_code == 201, response.text
    done = await listener.wait_for(response.json()["id"], "done")
    assert done["optimized_size_bytes"] > 0
    # The optimized WebP and every variant (the thumbnail, w320: the image is 480 wide).
    assert [v["name"] for v in done["variants"]] == ["thumbnail", "w320", "optimized"]
    usage = await http.get("/api/usage", headers=bearer(owner))
    assert usage.json() == {
        "used_bytes": len(original) + sum(variant["size_bytes"] for variant in done["variants"]),
        "quota_bytes": images_settings.quota_bytes,
    }


async def test_a_database_of_the_previous_version_is_migrated_and_counted(
    images_settings: ImagesSettings, auth_server: RunningService, tmp_path: Path
) -> None:
    owner_id = uuid.uuid4()
    async with previous_release(MIGRATIONS, tmp_path, name="quota_upgrade", last=0) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            for index, optimized in enumerate((1000, None)):
                await db.execute(
                    "INSERT INTO images (id, user_id, original_name, content_type, original_key, status, width,"
                    " height, size_bytes, optimized_size_bytes, generation, uploaded_at, updated_at)"
                    " VALUES ($1, $2, $3, 'image/png', 'k' || $1::uuid::text, 'done', 1, 1, 5000, $4, 0, now(), now())",
                    uuid.uuid4(),
                    owner_id,
                    f"{index}.png",
                    optimized,
                )
        finally:
            await db.close()

        assert (await upgrade(MIGRATIONS, url))[:2] == ["1", "2"]  # later migrations follow
        settings = images_settings.model_copy(update={"database_url": url})
        async with serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images:
            service = images.runner.service
            assert isinstance(service, ImagesService)
            with service.call_scopes():
                usage = await quota.usage(owner_id=str(owner_id), policy=service.quota_policy)
                names = sorted(image.original_name for image in await Image.filter(user_id=owner_id))
        assert usage.used_bytes == 2 * 5000 + 1000
        assert names == ["0.png", "1.png"]
