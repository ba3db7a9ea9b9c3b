"""Bad uploads get a clear 4xx, and leave nothing behind: no S3 object, no row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import grpc
import httpx
import pytest

from edge.app import create_app
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_auth.keys import SigningKey
from svc_images.models import Image
from svc_images.queue import JobQueue
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, png_declaring, upload
from tests.support.users import bearer

SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


async def _stored_keys(settings: ImagesSettings, owner: dict[str, Any]) -> list[str]:
    client = s3_client(settings)
    try:
        objects = await client.list_objects(
            settings.s3_bucket, prefix=f"originals/{owner['user']['id']}/", recursive=True
        )
        return [str(obj.object_name) for obj in objects]
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]


async def _assert_nothing_stored(http: httpx.AsyncClient, settings: ImagesSettings, owner: dict[str, Any]) -> None:
    assert await _stored_keys(settings, owner) == []
    assert (await http.get("/api/images", headers=bearer(owner))).json()["items"] == []


@pytest.mark.parametrize(
    ("data", "filename", "status", "detail"),
    [
        (b"", "empty.jpg", 422, "the file is empty"),
        (b"just some text, not a photo\n" * 20, "notes.jpg", 415, "not a supported image"),
        (SVG_WITH_SCRIPT, "vector.jpg", 415, "not a supported image"),
        (b"%PDF-1.7\n" + b"0" * 200, "doc.png", 415, "not a supported image"),
        (png_declaring(100_000, 100_000), "bomb.png", 422, "image is 100000×100000, over the limit"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken-header.jpg", 422, "its header could not be read"),
    ],
)
async def test_refused_before_anything_is_stored(
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    images_settings: ImagesSettings,
    data: bytes,
    filename: str,
    status: int,
    detail: str,
) -> None:
    response = await upload(http, owner, data, filename=filename)
    assert response.status_code == status, response.text
    assert response.json()["detail"].startswith(detail) or detail in response.json()["detail"]
    await _assert_nothing_stored(http, images_settings, owner)


async def test_over_the_size_limit_is_413_and_leaves_nothing(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings
) -> None:
    # A real JPEG header, so the upload is streaming to S3 when the limit is passed.
    oversized = ORIENTED_JPEG.read_bytes() + b"\x00" * (images_settings.max_upload_bytes + 1)
    response = await upload(http, owner, oversized)
    assert response.status_code == 413
    assert response.json() == {"detail": f"file is larger than the limit of {images_settings.max_upload_bytes:,} bytes"}
    await _assert_nothing_stored(http, images_settings, owner)


async def test_a_hostile_filename_is_only_data(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings
) -> None:
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="../../etc/passwd.png")
    assert response.status_code == 201
    image = response.json()
    assert image["original_name"] == "../../etc/passwd.png"
    assert await _stored_keys(images_settings, owner) == [f"originals/{owner['user']['id']}/{image['id']}"]


async def test_gigantic_and_non_utf8_filenames(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    long_name = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="a" * 5000 + ".png")
    assert long_name.status_code == 201
    assert long_name.json()["original_name"] == "a" * 255
    absurd = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="a" * 20_000 + ".png")
    assert absurd.status_code == 422
    assert absurd.json()["detail"].startswith("malformed multipart body")
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="caf\xe9\xff.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + GARDEN_PNG.read_bytes() + b"\r\n--b--\r\n"
    )
    headers = bearer(owner) | {"content-type": "multipart/form-data; boundary=b"}
    latin = await http.post("/api/images", content=body, headers=headers)
    assert latin.status_code == 201, latin.text
    assert latin.json()["original_name"] == "caf\ufffd\ufffd.png"


async def test_malformed_forms(http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings) -> None:
    form = {"content-type": "multipart/form-data; boundary=b", **bearer(owner)}
    no_file = await http.post("/api/images", content=b"--b--\r\n", headers=form)
    assert no_file.status_code == 422
    assert no_file.json() == {"detail": "the multipart body has no 'file' field"}
    unknown = await http.post("/api/images", files={"photo": ("a.png", b"small")}, headers=bearer(owner))
    assert unknown.status_code == 422
    assert unknown.json() == {
        "detail": (
            "unknown form field 'photo': the upload takes only "
            "'format', 'quality', 'width', 'height', 'fit', 'enlarge', 'file'"
        )
    }
    # Headers of the file part, each under the per-header limit, together past what may precede the file.
    many_headers = b"".join(b"X-Note-%d: %s\r\n" % (n, b"n" * 15000) for n in range(5))
    big_head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' + many_headers
    big_field = await http.post("/api/images", content=big_head + b"\r\n" + GARDEN_PNG.read_bytes(), headers=form)
    assert big_field.status_code == 422
    assert big_field.json() == {"detail": "form fields besides the file are too large"}

    png = GARDEN_PNG.read_bytes()
    two = await http.post(
        "/api/images", files=[("file", ("a.png", png)), ("file", ("b.png", png))], headers=bearer(owner)
    )
    assert two.status_code == 422
    assert two.json() == {"detail": "send exactly one 'file' field"}

    not_multipart = await http.post("/api/images", content=png, headers=bearer(owner) | {"content-type": "image/png"})
    assert not_multipart.status_code == 415
    assert not_multipart.json() == {"detail": "expected multipart/form-data with a 'file' field"}

    cut = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n\r\n' + png[:5000]
    truncated = await http.post(
        "/api/images", content=cut, headers=bearer(owner) | {"content-type": "multipart/form-data; boundary=b"}
    )
    assert truncated.status_code == 422
    assert "cut off" in truncated.json()["detail"]
    await _assert_nothing_stored(http, images_settings, owner)


async def test_tokens_are_checked(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    png = GARDEN_PNG.read_bytes()
    anonymous = await http.post("/api/images", files={"file": ("a.png", png)})
    assert anonymous.status_code == 401
    forged = SigningKey.generate().access_token(
        user_id=owner["user"]["id"], email="x@example.com", session_id="s-1", ttl=timedelta(minutes=5)
    )
    foreign = await http.post(
        "/api/images", files={"file": ("a.png", png)}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert foreign.status_code == 401
    assert foreign.json() == {"detail": "access token is signed by an unknown key"}
    assert (await http.get("/api/images/latest", headers={"Authorization": "Bearer nope"})).status_code == 401
    assert (await http.get("/api/images/not-a-uuid", headers=bearer(owner))).status_code == 404


class NeverQueue(JobQueue):
    """Accepts every image and runs none: its images stay `queued`."""

    def __init__(self) -> None:
        pass

    async def enqueue_processing(self, image: Image) -> bool:
        return True


@pytest.fixture
async def idle_images(images_settings: ImagesSettings) -> AsyncIterator[RunningService]:
    async with serve_for_test(ImagesService(images_settings, jobs=NeverQueue())) as running:
        yield running


async def test_download_before_done_is_409(
    auth_server: RunningService, idle_images: RunningService, redis_prefix: str, owner: dict[str, Any]
) -> None:
    settings = edge_settings_for(auth_server.address, redis_prefix, images_address=idle_images.address)
    async with serve_http(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        image = (await upload(client, owner, GARDEN_PNG.read_bytes(), filename="g.png")).json()
        download = await client.get(f"/api/images/{image['id']}/optimized", headers=bearer(owner))
    assert download.status_code == 409
    assert download.json() == {"detail": "the optimized image is not ready (status: queued)"}


async def test_status_updates_need_the_internal_credential(
    images_server: RunningService, owner: dict[str, Any]
) -> None:
    stub = images_pb2_grpc.ImageProcessingStub(images_server.channel)
    request = images_pb2.FailProcessingRequest(image_id="00000000-0000-0000-0000-000000000000", error="x")
    for metadata in (
        (("authorization", f"Bearer {owner['access_token']}"),),
        (("authorization", "Service wrong-credential"),),
        (),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.FailProcessing(request, metadata=metadata)
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
