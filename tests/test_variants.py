"""Variants through the real stack: HTTP upload → svc_images → SAQ → svc_worker → S3; the thumbnail
and placeholder announced while still `processing`, then `done` with every variant; each stored
variant decoded and checked for location and camera metadata; an incomplete set refused."""

from __future__ import annotations

import base64
from typing import Any

import grpc
import httpx
import pytest

from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.runtime.testing import RunningService
from svc_images.settings import ImagesSettings
from tests.support.images import GARDEN_PNG, Listener, upload
from tests.support.users import bearer
from tests.support.variants import camera_photo, check_variant

pytestmark = pytest.mark.usefixtures("worker")

ALL = ["thumbnail", "w320", "w640", "w1280", "w2048", "optimized"]


async def _stored(settings: ImagesSettings, key: str) -> bytes:
    store = ObjectStore(s3_client(settings), settings.s3_bucket)
    try:
        async with store.open(key) as (_, chunks):
            return b"".join([chunk async for chunk in chunks])
    finally:
        await store.close()


async def test_a_photo_gets_its_thumbnail_first_then_every_variant(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, images_settings: ImagesSettings
) -> None:
    # Stored 1300×2100 sideways with a GPS position: shown 2100×1300.
    response = await upload(http, owner, camera_photo(1300, 2100), filename="trip.jpg")
    assert response.status_code == 201, response.text
    image = response.json()
    assert (image["variants"], image["placeholder"], image["original_has_location"]) == ([], None, False)

    done = await listener.wait_for(image["id"], "done")
    events = [e for e in listener.events if e["id"] == image["id"]]
    early = next(e for e in events if e["status"] == "processing" and e["variants"])
    assert events.index(early) < events.index(done)
    [thumbnail] = early["variants"]
    assert thumbnail == {
        "name": "thumbnail",
        "width": 128,
        "height": 128,
        "format": "webp",
        "size_bytes": thumbnail["size_bytes"],
        "url": f"/api/images/{image['id']}/variants/thumbnail",
    }
    assert early["placeholder"]
    assert early["original_has_location"] is True
    assert early["optimized_url"] is None

    assert [v["name"] for v in done["variants"]] == ALL  # smallest first
    sizes = {v["name"]: (v["width"], v["height"]) for v in done["variants"]}
    assert sizes == {
        "thumbnail": (128, 128),
        "w320": (320, 198),
        "w640": (640, 396),
        "w1280": (1280, 792),
        "w2048": (2048, 1268),
        "optimized": (2100, 1300),
    }
    assert (done["placeholder"], done["original_has_location"]) == (early["placeholder"], True)
    assert 5 <= len(base64.b64decode(done["placeholder"])) <= 40
    assert (await http.get(f"/api/images/{image['id']}", headers=bearer(owner))).json() == done
    assert done["optimized_size_bytes"] == next(v["size_bytes"] for v in done["variants"] if v["name"] == "optimized")

    prefix = f"outputs/{owner['user']['id']}/{image['id']}"
    for variant in done["variants"]:
        data = await _stored(images_settings, f"{prefix}/{variant['name']}.webp")
        assert len(data) == variant["size_bytes"]
        check_variant(data, width=variant["width"], height=variant["height"])
    # `/optimized` still serves the full-size one.
    optimized = await http.get(done["optimized_url"], headers=bearer(owner))
    assert optimized.status_code == 200
    assert optimized.content == await _stored(images_settings, f"{prefix}/optimized.webp")

    usage = (await http.get("/api/usage", headers=bearer(owner))).json()
    assert usage["used_bytes"] == done["size_bytes"] + sum(v["size_bytes"] for v in done["variants"])


async def test_a_late_preview_changes_nothing_once_done(
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    listener: Listener,
    images_server: RunningService,
    images_settings: ImagesSettings,
) -> None:
    """A preview from an attempt that lost the race (a retry, the reconciler's re-run) is ignored."""
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="garden.png", content_type="image/png")
    done = await listener.wait_for(response.json()["id"], "done")
    processing = images_pb2_grpc.ImageProcessingStub(images_server.channel)
    service = (("authorization", f"Service {images_settings.internal_token.get_secret_value()}"),)
    stale = images_pb2.OutputResult(name="thumbnail", content_type="image/webp", width=9, height=9, size_bytes=9)
    request = images_pb2.ReportPreviewRequest(image_id=done["id"], results=[stale], placeholder="stale")
    answer = await processing.ReportPreview(request, metadata=service)
    assert answer.status == images_pb2.IMAGE_STATUS_DONE
    assert (await http.get(f"/api/images/{done['id']}", headers=bearer(owner))).json() == done


async def test_an_image_narrower_than_a_width_does_not_get_it(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="garden.png", content_type="image/png")
    done = await listener.wait_for(response.json()["id"], "done")
    assert [(v["name"], v["width"], v["height"]) for v in done["variants"]] == [
        ("thumbnail", 128, 128),
        ("optimized", 320, 200),  # 320 wide: no w320, which would be the same size
    ]
    assert done["original_has_location"] is False


async def test_a_report_missing_a_variant_is_refused(
    http: httpx.AsyncClient, owner: dict[str, Any], images_server: RunningService, images_settings: ImagesSettings
) -> None:
    """A worker cannot mark an image done with half a set: the job fails instead."""
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="garden.png", content_type="image/png")
    image_id = response.json()["id"]
    processing = images_pb2_grpc.ImageProcessingStub(images_server.channel)
    service = (("authorization", f"Service {images_settings.internal_token.get_secret_value()}"),)
    optimized = images_pb2.OutputResult(name="optimized", content_type="image/webp", width=1, height=1, size_bytes=1)
    half = images_pb2.CompleteProcessingRequest(image_id=image_id, results=[optimized], placeholder="AAAA")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await processing.CompleteProcessing(half, metadata=service)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "thumbnail" in (refused.value.details() or "")
    late = images_pb2.ReportPreviewRequest(image_id=image_id, results=[optimized], placeholder="AAAA")
    with pytest.raises(grpc.aio.AioRpcError) as not_early:
        await processing.ReportPreview(late, metadata=service)
    assert not_early.value.code() is grpc.StatusCode.INVALID_ARGUMENT
