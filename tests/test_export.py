"""The export: a ZIP of every original and result with an `images.json` manifest, streamed as it is
built (its first bytes arrive before the last image is read), each entry decodable, and only the
caller's own images."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pyvips

from edge.app import create_app
from pixelflow.media.storage import ObjectStore, StoredObject, s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.account import query
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, upload
from tests.support.services import WorkerProcess
from tests.support.users import bearer, client_address, register


class GatedStore(ObjectStore):
    """Holds back the reading of one object until the test opens the gate."""

    def __init__(self, store: ObjectStore, key: str) -> None:
        super().__init__(store.client, store.bucket)
        self.gated_key = key
        self.gate = asyncio.Event()
        self.gated_read = False

    @asynccontextmanager
    async def open(
        self, key: str, *, chunk_size: int = 64 * 1024
    ) -> AsyncIterator[tuple[StoredObject, AsyncIterator[bytes]]]:
        if key == self.gated_key:
            await self.gate.wait()
            self.gated_read = True
        async with super().open(key, chunk_size=chunk_size) as opened:
            yield opened


async def _converted(
    http: httpx.AsyncClient, edge_url: str, owner: dict[str, Any], files: list[tuple[bytes, str]]
) -> list[str]:
    listener = Listener()
    await listener.connect(edge_url, owner["access_token"])
    ids = []
    try:
        for data, name in files:
            response = await upload(http, owner, data, filename=name)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        for image_id in ids:
            await listener.wait_for(image_id, "done")
    finally:
        await listener.close()
    return ids


def _decodes(data: bytes) -> tuple[int, int]:
    image = pyvips.Image.new_from_buffer(data, "")
    image.avg()  # reads every pixel
    return image.width, image.height


async def test_the_export_streams_every_original_and_result_with_a_manifest(
    http: httpx.AsyncClient,
    edge_url: str,
    worker: WorkerProcess,
    images_settings: ImagesSettings,
    auth_server: RunningService,
    redis_prefix: str,
) -> None:
    owner = await register(http)
    files = [(GARDEN_PNG.read_bytes(), "garden.png"), (ORIENTED_JPEG.read_bytes(), "../../ladybird.jpg")]
    files.append((GARDEN_PNG.read_bytes(), "last.png"))
    ids = await _converted(http, edge_url, owner, files)
    stranger = await register(http)
    await _converted(http, edge_url, stranger, [(GARDEN_PNG.read_bytes(), "theirs.png")])
    [last] = await query(
        images_settings.database_url, 'SELECT "original_key" FROM "images" WHERE "id" = $1::uuid', ids[-1]
    )

    real = ObjectStore(s3_client(images_settings), images_settings.s3_bucket)
    gated = GatedStore(real, last["original_key"])
    try:
        async with (
            serve_for_test(ImagesService(images_settings, store=gated, reconcile=None, sweep_deletions=None)) as images,
            serve_http(
                create_app(edge_settings_for(auth_server.address, redis_prefix, images_address=images.address))
            ) as url,
            httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": client_address()}, timeout=60) as client,
        ):
            assert (await client.get("/api/images/export")).status_code == 401
            async with client.stream("GET", "/api/images/export", headers=bearer(owner)) as response:
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/zip"
                assert response.headers["content-disposition"].startswith('attachment; filename="pixelflow-export-')
                chunks = response.aiter_raw()
                # With the last original held back, the archive has begun: it is sent while built.
                first = await asyncio.wait_for(anext(chunks), timeout=30)
                assert first.startswith(b"PK\x03\x04")
                assert not gated.gated_read
                gated.gate.set()
                body = first + b"".join([chunk async for chunk in chunks])
            assert gated.gated_read
    finally:
        await real.close()

    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[-1] == "images.json"
    manifest = json.loads(archive.read("images.json"))
    assert [image["id"] for image in manifest["images"]] == ids
    assert [image["original_name"] for image in manifest["images"]] == [name for _, name in files]
    for image, (data, _) in zip(manifest["images"], files, strict=True):
        kinds = {file["kind"]: file for file in image["files"]}
        assert set(kinds) == {"original", "optimized"}
        original = archive.read(kinds["original"]["path"])
        assert original == data
        assert kinds["original"]["size_bytes"] == len(data) == image["size_bytes"]
        optimized = archive.read(kinds["optimized"]["path"])
        assert len(optimized) == image["optimized_size_bytes"] == kinds["optimized"]["size_bytes"]
        assert optimized[8:12] == b"WEBP"
        _decodes(original)
        assert _decodes(optimized) == (image["width"], image["height"])
        assert image["uploaded_at"]
        assert image["processed_at"]
    # Every path is the archive's own: nothing the person typed leads out of it.
    assert all(not name.startswith("/") and ".." not in name.split("/") for name in names)
    assert len(names) == 2 * len(files) + 1


async def test_an_empty_account_exports_only_its_manifest(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    response = await http.get("/api/images/export", headers=bearer(owner))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["images.json"]
    assert json.loads(archive.read("images.json"))["images"] == []
