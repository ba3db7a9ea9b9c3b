"""Valid images whose header lies past the probe are accepted, and still refused over the pixel limit
before any pixel is decoded: JPEGs with megabytes of metadata first, TIFFs with their directory at
the end (as libtiff writes them), HEIF/AVIF with `meta` after `mdat`. Garbage is still 415/422."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from edge.app import create_app
from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.jpeg import JpegHeaderWalker, JpegScanCounter
from svc_images.probe import UnreadableHeader, sniff_content_type
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from svc_images.stored_header import ReadBudget, read_stored_header
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import Listener, upload
from tests.support.late_images import (
    heif_with_meta_last,
    jpeg_declaring,
    jpeg_with_metadata,
    noise,
    tiff_declaring,
)
from tests.support.storage import incomplete_uploads
from tests.support.users import client_address, register

MAX_PIXELS = 4_000_000
PROBE_BYTES = 1024 * 1024


@pytest.fixture(scope="module")
async def late_settings(images_settings: ImagesSettings) -> ImagesSettings:
    return images_settings.model_copy(
        update={
            "queue_name": f"{images_settings.queue_name}-late",  # no worker: images stay queued
            "max_upload_bytes": 10 * 1024 * 1024,
            "max_pixels": MAX_PIXELS,
            "probe_bytes": PROBE_BYTES,
        }
    )


@pytest.fixture(scope="module")
async def late_http(
    late_settings: ImagesSettings, auth_server: RunningService, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_for_test(ImagesService(late_settings)) as images:
        settings = edge_settings_for(auth_server.address, redis_prefix, images_address=images.address)
        async with (
            serve_http(create_app(settings)) as url,
            httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": client_address()}, timeout=60) as client,
        ):
            yield client


@pytest.fixture
async def uploader(late_http: httpx.AsyncClient) -> dict[str, Any]:
    return await register(late_http)


async def _stored(settings: ImagesSettings, owner: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Objects and incomplete multipart uploads under `owner`'s originals."""
    prefix = f"originals/{owner['user']['id']}/"
    client = s3_client(settings)
    try:
        objects = await client.list_objects(settings.s3_bucket, prefix=prefix, recursive=True)
        keys = [str(obj.object_name) for obj in objects]
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]
    return keys, await incomplete_uploads(settings, prefix)


async def test_a_jpeg_with_megabytes_of_metadata_before_its_frame(
    late_http: httpx.AsyncClient, uploader: dict[str, Any], late_settings: ImagesSettings
) -> None:
    photo = jpeg_with_metadata(640, 480, metadata_bytes=6 * 1024 * 1024)
    assert len(photo) > 6 * 1024 * 1024
    response = await upload(late_http, uploader, photo, filename="edited.jpg")
    assert response.status_code == 201, response.text
    image = response.json()
    assert (image["width"], image["height"], image["content_type"]) == (640, 480, "image/jpeg")
    assert image["size_bytes"] == len(photo)
    assert (await _stored(late_settings, uploader)) == ([f"originals/{uploader['user']['id']}/{image['id']}"], [])


async def test_a_tiff_with_its_directory_at_the_end(
    late_http: httpx.AsyncClient, uploader: dict[str, Any], late_settings: ImagesSettings
) -> None:
    tiff: bytes = noise(1200, 900).tiffsave_buffer(compression="deflate")
    assert len(tiff) > 2 * 1024 * 1024
    assert int.from_bytes(tiff[4:8], "little") > PROBE_BYTES  # where libtiff put the directory
    response = await upload(late_http, uploader, tiff, filename="scan.tif", content_type="image/tiff")
    assert response.status_code == 201, response.text
    image = response.json()
    assert (image["width"], image["height"], image["content_type"]) == (1200, 900, "image/tiff")


async def test_an_avif_with_meta_after_mdat(late_http: httpx.AsyncClient, uploader: dict[str, Any]) -> None:
    avif = heif_with_meta_last(noise(320, 240).heifsave_buffer(compression="av1", Q=50), padding=PROBE_BYTES + 4096)
    response = await upload(late_http, uploader, avif, filename="late.avif", content_type="image/avif")
    assert response.status_code == 201, response.text
    image = response.json()
    assert (image["width"], image["height"], image["content_type"]) == (320, 240, "image/avif")


async def test_an_avif_and_a_heic_are_reported_as_such(late_http: httpx.AsyncClient, uploader: dict[str, Any]) -> None:
    avif: bytes = noise(64, 48).heifsave_buffer(compression="av1")
    response = await upload(late_http, uploader, avif, filename="small.avif", content_type="image/heif")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "image/avif"
    # What an iPhone writes (major brand heic), and encoders that put it among the compatible brands.
    assert sniff_content_type(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic") == "image/heic"
    assert sniff_content_type(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic") == "image/heic"
    assert sniff_content_type(b"\0\0\0\x1cftypmif1\0\0\0\0mif1miafavif") == "image/avif"
    assert sniff_content_type(b"\0\0\0\x14ftypmif1\0\0\0\0mif1") == "image/heif"
    assert sniff_content_type(b"\0\0\0\x14ftypisom\0\0\0\0mif1") is None


@pytest.mark.parametrize("kind", ["jpeg", "tiff"])
async def test_a_bomb_whose_header_is_late_is_refused_and_leaves_nothing(
    late_http: httpx.AsyncClient, uploader: dict[str, Any], late_settings: ImagesSettings, kind: str
) -> None:
    if kind == "jpeg":
        bomb = jpeg_declaring(jpeg_with_metadata(64, 48, metadata_bytes=6 * 1024 * 1024), 60_000, 60_000)
    else:
        bomb = tiff_declaring(noise(1200, 900).tiffsave_buffer(compression="deflate"), 60_000, 60_000)
    response = await upload(late_http, uploader, bomb, filename=f"bomb.{kind}")
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == f"image is 60000×60000, over the limit of {MAX_PIXELS:,} pixels"
    assert (await _stored(late_settings, uploader)) == ([], [])


@pytest.mark.parametrize(
    ("magic", "status", "detail"),
    [
        (b"", 415, "not a supported image"),
        (b"II*\x00", 422, "its header could not be read"),
        (b"\xff\xd8\xff\xe1\x00\x10", 422, "its header could not be read"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", 422, "its header could not be read"),
    ],
)
async def test_large_garbage_is_still_refused_and_leaves_nothing(
    late_http: httpx.AsyncClient,
    uploader: dict[str, Any],
    late_settings: ImagesSettings,
    magic: bytes,
    status: int,
    detail: str,
) -> None:
    garbage = magic + os.urandom(3 * 1024 * 1024)
    response = await upload(late_http, uploader, garbage, filename="garbage.bin")
    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]
    assert (await _stored(late_settings, uploader)) == ([], [])


def test_the_jpeg_walker_finds_the_same_header_however_the_bytes_are_cut() -> None:
    photo = jpeg_with_metadata(40, 30, metadata_bytes=100_000)
    whole = JpegHeaderWalker(max_header_bytes=PROBE_BYTES, max_segments=100)
    whole.feed(photo)
    assert whole.header is not None
    assert len(whole.header) < 2048  # tables, frame and scan header: no metadata
    assert photo.index(whole.header[-200:]) > 100_000
    for size in (1, 3, 4096):
        walker = JpegHeaderWalker(max_header_bytes=PROBE_BYTES, max_segments=100)
        for at in range(0, len(photo), size):
            walker.feed(photo[at : at + size])
            walker.feed(b"")
        assert walker.header == whole.header, size
    too_many = JpegHeaderWalker(max_header_bytes=PROBE_BYTES, max_segments=3)
    with pytest.raises(Exception, match="within 3 JPEG segments"):
        too_many.feed(photo)


def test_the_scan_counter_keeps_its_state_over_an_empty_chunk() -> None:
    counter = JpegScanCounter(limit=10)
    for chunk in (b"..\xff", b"", b"\xda..\xff", b"", b"", b"\xda"):
        counter.feed(chunk)
    assert counter.scans == 2


async def test_a_stored_header_is_read_with_a_few_small_ranged_reads(
    images_settings: ImagesSettings, images_server: RunningService
) -> None:
    store = ObjectStore(s3_client(images_settings), images_settings.s3_bucket)
    key = f"test-late-header/{uuid.uuid4()}"
    tiff: bytes = noise(1200, 900).tiffsave_buffer(compression="deflate")
    try:
        await store.put_stream(key, io.BytesIO(tiff), content_type="image/tiff")
        budget = ReadBudget(block_bytes=64 * 1024, max_reads=4, timeout_seconds=10)
        header = await read_stored_header(
            store=store, key=key, size=len(tiff), content_type="image/tiff", max_pixels=MAX_PIXELS, budget=budget
        )
        assert (header.width, header.height, header.frames) == (1200, 900, 1)
        starved = ReadBudget(block_bytes=64 * 1024, max_reads=1, timeout_seconds=10)
        with pytest.raises(UnreadableHeader, match="within 1 reads"):
            await read_stored_header(
                store=store, key=key, size=len(tiff), content_type="image/tiff", max_pixels=MAX_PIXELS, budget=starved
            )
    finally:
        await store.remove_quietly(key)
        await store.close()


@pytest.mark.usefixtures("worker")
async def test_late_header_images_convert(http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener) -> None:
    """Through the session's services (2 MiB limit, 1 MiB probe) and its worker, to `done`."""
    tiff: bytes = noise(800, 640).tiffsave_buffer()
    photo = jpeg_with_metadata(320, 200, metadata_bytes=1536 * 1024)
    assert int.from_bytes(tiff[4:8], "little") > PROBE_BYTES
    for data, name, size in ((tiff, "late.tif", (800, 640)), (photo, "late.jpg", (320, 200))):
        response = await upload(http, owner, data, filename=name)
        assert response.status_code == 201, response.text
        done = await listener.wait_for(response.json()["id"], "done")
        assert (done["width"], done["height"]) == size
