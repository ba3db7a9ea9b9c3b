"""Batches over the real stack: several files in one request with one refused, progress events in
order ending at total = done + failed, the batch read back and listed, another person kept out, and
the archive of results (decodable, names disambiguated) streamed while it is built. And a database
of the release before batches, migrated and read back."""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pyvips
import socketio

from edge.app import create_app
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.account import query
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG
from tests.support.migrations import previous_release, upgrade
from tests.support.services import WorkerProcess
from tests.support.users import bearer, client_address, register
from tests.test_export import GatedStore
from tests.test_outputs import _session
from tests.test_quota import ParkedQueue


class BatchListener:
    """A Socket.IO client in the person's room, collecting `batch.updated` events."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self.client.on("batch.updated", self._on_updated)

    async def _on_updated(self, data: dict[str, Any]) -> None:
        async with self._arrived:
            self.events.append(data)
            self._arrived.notify_all()

    async def connect(self, url: str, token: str) -> None:
        await self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)

    async def wait_until_finished(self, batch_id: str, total: int, timeout: float = 120) -> list[dict[str, Any]]:
        def finished() -> bool:
            return any(e["id"] == batch_id and e["done"] + e["failed"] == e["total"] == total for e in self.events)

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(finished), timeout)
        return [e for e in self.events if e["id"] == batch_id]


def _decodes(data: bytes) -> tuple[int, int]:
    image = pyvips.Image.new_from_buffer(data, "")
    image.avg()  # reads every pixel
    return image.width, image.height


def _form(files: list[tuple[str, bytes]], **options: str) -> tuple[bytes, str]:
    """A multipart body with the option fields first, then the files in order."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in options.items()
    ]
    for filename, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def _post_batch(
    http: httpx.AsyncClient, session: dict[str, Any], files: list[tuple[str, bytes]], **options: str
) -> httpx.Response:
    body, content_type = _form(files, **options)
    return await http.post("/api/batches", content=body, headers={**bearer(session), "Content-Type": content_type})


async def test_a_batch_uploads_reports_progress_and_streams_its_archive(
    http: httpx.AsyncClient,
    edge_url: str,
    worker: WorkerProcess,
    images_settings: ImagesSettings,
    auth_server: RunningService,
    redis_prefix: str,
) -> None:
    owner = await register(http)
    files = [
        ("garden.png", GARDEN_PNG.read_bytes()),
        ("notes.txt", b"these are not the pixels you are looking for " * 100),
        ("ladybird.jpg", ORIENTED_JPEG.read_bytes()),
        ("garden.jpg", GARDEN_PNG.read_bytes()),
    ]
    listener = BatchListener()
    await listener.connect(edge_url, owner["access_token"])
    try:
        response = await _post_batch(http, owner, files, format="webp", quality="70")
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["total"] == 4, created
        assert created["options"]["quality"] == 70
        names = [image["original_name"] for image in created["images"]]
        assert names == ["garden.png", "ladybird.jpg", "garden.jpg"], created["refused"]
        [refused] = created["refused"]
        assert refused["filename"] == "notes.txt"
        assert "not" in refused["detail"].lower()
        events = await listener.wait_until_finished(created["id"], total=4)
    finally:
        await listener.client.disconnect()

    # In order: what is finished never goes back, and the last event has every file accounted for.
    finished = [event["done"] + event["failed"] for event in events]
    assert finished == sorted(finished)
    assert [event["total"] for event in events] == sorted(event["total"] for event in events)
    assert events[-1]["total"] == events[-1]["done"] + events[-1]["failed"] == 4
    assert (events[-1]["done"], events[-1]["failed"]) == (3, 1)

    batch = (await http.get(f"/api/batches/{created['id']}", headers=bearer(owner))).json()
    assert (batch["total"], batch["queued"], batch["processing"], batch["done"], batch["failed"]) == (4, 0, 0, 3, 1)
    assert [image["id"] for image in batch["images"]] == [image["id"] for image in created["images"]]
    assert all(image["status"] == "done" for image in batch["images"])

    # A second batch: the list is newest first, a page at a time.
    second = await _post_batch(http, owner, [("one.png", GARDEN_PNG.read_bytes())])
    assert second.status_code == 201, second.text
    page = (await http.get("/api/batches", params={"limit": 1}, headers=bearer(owner))).json()
    assert [item["id"] for item in page["items"]] == [second.json()["id"]]
    rest = (await http.get("/api/batches", params={"cursor": page["next_cursor"]}, headers=bearer(owner))).json()
    assert [(item["id"], item["total"], item["done"]) for item in rest["items"]] == [(created["id"], 4, 3)]
    assert rest["next_cursor"] is None

    # Another person sees none of it.
    stranger = await register(http)
    assert (await http.get(f"/api/batches/{created['id']}", headers=bearer(stranger))).status_code == 404
    assert (await http.get(f"/api/batches/{created['id']}/archive", headers=bearer(stranger))).status_code == 404
    assert (await http.get("/api/batches", headers=bearer(stranger))).json() == {"items": [], "next_cursor": None}
    assert (await http.get("/api/batches/not-a-batch", headers=bearer(stranger))).status_code == 404

    # The archive, with the last result held back: its first bytes arrive before that result is read.
    [last] = await query(
        images_settings.database_url,
        'SELECT "key" FROM "image_outputs" WHERE "image_id" = $1::uuid AND "name" = \'optimized\'',
        created["images"][-1]["id"],
    )
    real = ObjectStore(s3_client(images_settings), images_settings.s3_bucket)
    gated = GatedStore(real, last["key"])
    try:
        async with (
            serve_for_test(ImagesService(images_settings, store=gated, reconcile=None, sweep_deletions=None)) as images,
            serve_http(
                create_app(edge_settings_for(auth_server.address, redis_prefix, images_address=images.address))
            ) as url,
            httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": client_address()}, timeout=60) as client,
        ):
            async with client.stream("GET", f"/api/batches/{created['id']}/archive", headers=bearer(owner)) as reply:
                assert reply.status_code == 200
                assert reply.headers["content-type"] == "application/zip"
                chunks = reply.aiter_raw()
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
    assert archive.namelist() == ["garden.webp", "ladybird.webp", "garden (2).webp"]
    for name, image in zip(archive.namelist(), batch["images"], strict=True):
        data = archive.read(name)
        assert data[8:12] == b"WEBP"
        assert _decodes(data) == (image["width"], image["height"])


async def test_a_batch_refuses_bad_forms_before_storing_anything(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    no_file = await _post_batch(http, owner, [], format="webp")
    assert no_file.status_code == 422
    bad_option = await _post_batch(http, owner, [("a.png", GARDEN_PNG.read_bytes())], quality="101")
    assert bad_option.status_code == 422
    assert (await http.get("/api/batches", headers=bearer(owner))).json()["items"] == []
    assert (await http.post("/api/batches", files={"file": ("a.png", b"x")})).status_code == 401


async def test_a_form_broken_after_a_file_keeps_the_files_before(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    body, content_type = _form([("first.png", GARDEN_PNG.read_bytes())])
    boundary = content_type.rpartition("=")[2]
    late_option = f'--{boundary}\r\nContent-Disposition: form-data; name="quality"\r\n\r\n50\r\n'.encode()
    body = body.removesuffix(f"--{boundary}--\r\n".encode()) + late_option + f"--{boundary}--\r\n".encode()
    response = await http.post("/api/batches", content=body, headers={**bearer(owner), "Content-Type": content_type})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "quality: form fields must come before the first 'file'"
    [batch] = (await http.get("/api/batches", headers=bearer(owner))).json()["items"]
    assert (
        batch["total"],
        [
            image["original_name"]
            for image in (await http.get(f"/api/batches/{batch['id']}", headers=bearer(owner))).json()["images"]
        ],
    ) == (1, ["first.png"])


INSERT_IMAGE = (
    "INSERT INTO images (id, user_id, original_name, content_type, original_key, status, width, height,"
    " size_bytes, generation, uploaded_at, updated_at, original_has_location)"
    " VALUES ($1, $2, 'old.png', 'image/png', 'k' || $1::uuid::text, 'queued', 10, 20, 300, 0, now(), now(), false)"
)


async def test_a_database_of_the_previous_version_takes_batches(
    images_settings: ImagesSettings, auth_server: RunningService, tmp_path: Path
) -> None:
    session = await _session(auth_server)
    image_id = uuid.uuid4()
    async with previous_release(MIGRATIONS, tmp_path, name="batches_upgrade", last=5) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await db.execute(INSERT_IMAGE, image_id, uuid.UUID(session.user.id))
        finally:
            await db.close()
        assert (await upgrade(MIGRATIONS, url))[0] == "6"

        settings = images_settings.model_copy(update={"database_url": url})
        async with serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images:
            stub = images_pb2_grpc.ImagesStub(images.channel)
            auth = (("authorization", f"Bearer {session.access_token}"),)
            old = await stub.GetImage(images_pb2.GetImageRequest(id=str(image_id)), metadata=auth)
            batch = await stub.CreateBatch(images_pb2.CreateBatchRequest(), metadata=auth)
            listed = await stub.ListBatches(images_pb2.ListBatchesRequest(), metadata=auth)
    assert (old.original_name, old.width, old.height, old.size_bytes) == ("old.png", 10, 20, 300)
    assert [b.id for b in listed.batches] == [batch.id]
    assert (batch.total, batch.done, batch.failed) == (0, 0, 0)
