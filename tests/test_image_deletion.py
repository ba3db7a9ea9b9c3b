"""Deleting an image over the real stack: gone from every route, from S3 (its original once no other
image shares it), from the quota and the other tabs; a conversion in flight is discarded; with S3
down the image is gone at once and its objects follow when S3 is back."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from edge.app import create_app
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.migrations import MIGRATIONS as IMAGES_MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for, migrated_database
from tests.support.account import copy_image, eventually, object_exists, owner_keys, query
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, upload
from tests.support.proxy import FaultyProxy
from tests.support.services import WorkerProcess
from tests.support.users import bearer, client_address, register
from tests.test_quota import ParkedQueue


async def _done(http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, data: bytes, name: str) -> str:
    response = await upload(http, owner, data, filename=name)
    assert response.status_code == 201, response.text
    image_id: str = response.json()["id"]
    await listener.wait_for(image_id, "done")
    return image_id


async def test_a_deleted_image_is_gone_everywhere(
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    listener: Listener,
    worker: WorkerProcess,
    images_settings: ImagesSettings,
) -> None:
    deleted_events: list[dict[str, Any]] = []

    async def on_deleted(data: dict[str, Any]) -> None:
        deleted_events.append(data)

    listener.client.on("image.deleted", on_deleted)
    kept = await _done(http, owner, listener, GARDEN_PNG.read_bytes(), "kept.png")
    image_id = await _done(http, owner, listener, ORIENTED_JPEG.read_bytes(), "gone.jpg")
    owner_id = owner["user"]["id"]
    assert any(image_id in key for key in await owner_keys(images_settings, owner_id))
    used_before = (await http.get("/api/usage", headers=bearer(owner))).json()["used_bytes"]
    sizes = (await http.get(f"/api/images/{image_id}", headers=bearer(owner))).json()

    response = await http.delete(f"/api/images/{image_id}", headers=bearer(owner))
    assert response.status_code == 204, response.text

    for path in (
        f"/api/images/{image_id}",
        f"/api/images/{image_id}/optimized",
        f"/api/images/{image_id}/variants/thumbnail",
        f"/api/images/{image_id}/original",
    ):
        assert (await http.get(path, headers=bearer(owner))).status_code == 404
    listing = (await http.get("/api/images", headers=bearer(owner))).json()["items"]
    assert [item["id"] for item in listing] == [kept]
    used_after = (await http.get("/api/usage", headers=bearer(owner))).json()["used_bytes"]
    results = sum(variant["size_bytes"] for variant in sizes["variants"])
    assert len(sizes["variants"]) > 1  # the thumbnail and widths leave with the optimized file
    assert used_after == used_before - sizes["size_bytes"] - results

    async def objects_gone() -> bool:
        return not any(image_id in key for key in await owner_keys(images_settings, owner_id))

    await eventually(objects_gone)
    assert any(kept in key for key in await owner_keys(images_settings, owner_id))

    async def told() -> bool:
        return deleted_events == [{"id": image_id}]

    await eventually(told, seconds=10)
    again = await http.delete(f"/api/images/{image_id}", headers=bearer(owner))
    assert again.status_code == 404
    assert again.json() == {"detail": "image not found"}
    assert (await http.delete("/api/images/not-an-id", headers=bearer(owner))).status_code == 404
    assert (await http.delete(f"/api/images/{kept}")).status_code == 401


async def test_another_persons_image_is_not_found_and_untouched(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings
) -> None:
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="mine.png")
    image_id = response.json()["id"]
    stranger = await register(http)
    refused = await http.delete(f"/api/images/{image_id}", headers=bearer(stranger))
    assert refused.status_code == 404
    assert (await http.get(f"/api/images/{image_id}", headers=bearer(owner))).status_code == 200
    assert any(image_id in key for key in await owner_keys(images_settings, owner["user"]["id"]))


@pytest.mark.parametrize("first", ["original", "copy"])
async def test_a_shared_original_stays_until_its_last_image_is_deleted(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings, first: str
) -> None:
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="twice.png")
    original = response.json()["id"]
    copy = await copy_image(images_settings.database_url, original)
    [row] = await query(
        images_settings.database_url, 'SELECT "original_key" FROM "images" WHERE "id" = $1::uuid', original
    )
    key = row["original_key"]
    order = [original, copy] if first == "original" else [copy, original]

    assert (await http.delete(f"/api/images/{order[0]}", headers=bearer(owner))).status_code == 204

    # The sweep has run (nothing pending is left) and kept the object the other image uses.
    async def settled() -> bool:
        return not await query(images_settings.database_url, 'SELECT 1 FROM "pending_deletions" WHERE "key" = $1', key)

    await eventually(settled)
    assert await object_exists(images_settings, key)
    assert (await http.get(f"/api/images/{order[1]}", headers=bearer(owner))).status_code == 200

    assert (await http.delete(f"/api/images/{order[1]}", headers=bearer(owner))).status_code == 204

    async def removed() -> bool:
        return not await object_exists(images_settings, key)

    await eventually(removed)


async def test_a_conversion_reported_after_the_deletion_is_discarded_quietly(
    http: httpx.AsyncClient, owner: dict[str, Any], images_server: RunningService, images_settings: ImagesSettings
) -> None:
    """What svc_worker does when the image it converts is deleted meanwhile: its report answers OK,
    and the result it already stored is removed."""
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="in-flight.png")
    image_id = response.json()["id"]
    processing = images_pb2_grpc.ImageProcessingStub(images_server.channel)
    service = (("authorization", f"Service {images_settings.internal_token.get_secret_value()}"),)
    ticket = await processing.StartProcessing(images_pb2.StartProcessingRequest(image_id=image_id), metadata=service)
    [spec] = [output for output in ticket.outputs if output.name == "optimized"]

    assert (await http.delete(f"/api/images/{image_id}", headers=bearer(owner))).status_code == 204
    # The worker stores its result after the deletion swept, then reports it.
    client = s3_client(images_settings)
    try:
        await client.put_object(images_settings.s3_bucket, spec.key, io.BytesIO(b"RIFF....WEBP"), 12)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]
    result = images_pb2.OutputResult(
        name=spec.name, key=spec.key, content_type="image/webp", width=1, height=1, size_bytes=12
    )
    reply = await processing.CompleteProcessing(
        images_pb2.CompleteProcessingRequest(image_id=image_id, results=[result]), metadata=service
    )
    assert reply == images_pb2.Image()
    failed = await processing.FailProcessing(
        images_pb2.FailProcessingRequest(image_id=image_id, error="late"), metadata=service
    )
    assert failed == images_pb2.Image()

    async def nothing_left() -> bool:
        return await owner_keys(images_settings, owner["user"]["id"]) == []

    await eventually(nothing_left)


@pytest.fixture
async def storage_link(images_settings: ImagesSettings) -> AsyncIterator[FaultyProxy]:
    host, port = images_settings.s3_endpoint.split(":")
    proxy = FaultyProxy(host, int(port))
    await proxy.up()
    yield proxy
    await proxy.down()


async def test_with_storage_down_the_image_goes_at_once_and_its_objects_when_storage_is_back(
    storage_link: FaultyProxy, images_settings: ImagesSettings, auth_server: RunningService, redis_prefix: str
) -> None:
    # A database of its own: no other svc_images of the run sweeps this outbox through the real S3.
    async with migrated_database("deletion_outage", IMAGES_MIGRATIONS) as database_url:
        settings = images_settings.model_copy(
            update={
                "database_url": database_url,
                "s3_endpoint": storage_link.address,
                "s3_connect_timeout_seconds": 1.0,
                "s3_attempts": 1,
                "deletion_sweep_interval_seconds": 0.3,
            }
        )
        async with (
            serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images,
            serve_http(
                create_app(edge_settings_for(auth_server.address, redis_prefix, images_address=images.address))
            ) as url,
            httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": client_address()}, timeout=30) as http,
        ):
            owner = await register(http)
            owner_id = owner["user"]["id"]
            ids = []
            for name in ("one.png", "two.png"):
                response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename=name)
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
            stored = await owner_keys(images_settings, owner_id)
            assert len(stored) == 2

            await storage_link.down()
            for image_id in ids:
                response = await http.delete(f"/api/images/{image_id}", headers=bearer(owner))
                assert response.status_code == 204, response.text
                assert (await http.get(f"/api/images/{image_id}", headers=bearer(owner))).status_code == 404
            assert (await http.get("/api/images", headers=bearer(owner))).json()["items"] == []
            assert (await http.get("/api/usage", headers=bearer(owner))).json()["used_bytes"] == 0
            # Several sweeps fail meanwhile; the objects wait in the outbox.
            await asyncio.sleep(1)
            assert await owner_keys(images_settings, owner_id) == stored
            pending = await query(database_url, 'SELECT "key" FROM "pending_deletions"')
            assert set(stored) <= {row["key"] for row in pending}

            await storage_link.up()

            async def nothing_left() -> bool:
                return await owner_keys(images_settings, owner_id) == [] and not await query(
                    database_url, 'SELECT 1 FROM "pending_deletions"'
                )

            await eventually(nothing_left)
