"""The edge bounds what one client can make it read, parse and wait for, before it costs anything:
every body by its route, the upload's form in parts, bytes and time, and the uploader's token is
checked before a byte of the body is read. Refusals are clear 4xx, a client leaving is no error.

The edge here runs behind `BodyMeter`, which counts the body bytes the edge pulls from uvicorn: the
tests assert where reading stops, not how long it takes."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.rawhttp import FILE_PART_HEAD, MIB, chunked, form_headers, raw_request, repeated
from edge.app import create_app
from edge.multipart import FileUpload, FormLimits
from edge.settings import EdgeSettings
from pixelflow.errors import InvalidArgument
from pixelflow.runtime.testing import RunningService
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, png_declaring, upload
from tests.support.users import bearer

# uvicorn hands the app a body in pieces of up to a few hundred KiB (what one socket read brought):
# reading "stops at the limit" within a piece or two. The hostile bodies are far larger.
READ_SLACK = 1 * MIB
FORM_DEADLINE = 0.5


class BodyMeter:
    """Wraps the edge as uvicorn sees it; counts the body bytes the edge pulls, per `x-probe` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.read: dict[str, int] = defaultdict(int)
        self.finished: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._progress = asyncio.Condition()

    async def wait_read(self, probe: str, size: int) -> None:
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: self.read[probe] >= size), 10)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        probe = dict(scope["headers"]).get(b"x-probe", b"").decode()

        async def counting_receive() -> Message:
            message = await receive()
            self.read[probe] += len(message.get("body", b""))
            async with self._progress:
                self._progress.notify_all()
            return message

        try:
            await self.app(scope, counting_receive, send)
        finally:
            self.finished[probe].set()


@pytest.fixture(scope="module")
async def metered(
    auth_server: RunningService, images_server: RunningService, redis_prefix: str
) -> AsyncIterator[tuple[BodyMeter, int]]:
    settings = edge_settings_for(
        auth_server.address,
        redis_prefix,
        images_address=images_server.address,
        upload_form_deadline_seconds=FORM_DEADLINE,
    )
    meter = BodyMeter(create_app(settings))
    async with serve_http(meter) as url:
        port = urlsplit(url).port
        assert port is not None
        yield meter, port


def form_head(token: str, probe: str, length: int) -> dict[str, str]:
    return form_headers(token, length, probe=probe)


async def test_a_large_body_of_any_type_is_read_only_up_to_the_route_limit(metered: tuple[BodyMeter, int]) -> None:
    meter, port = metered
    limit = EdgeSettings.model_fields["max_json_body_bytes"].default
    headers = {"content-type": "text/plain", "transfer-encoding": "chunked", "x-probe": "streamed"}
    status, body = await raw_request(port, "POST", "/api/auth/login", headers, chunked(repeated(b"x", 200 * MIB)))
    assert (status, body) == (413, {"detail": "request body too large"})
    assert limit < meter.read["streamed"] <= limit + READ_SLACK

    declared = {"content-type": "text/plain", "content-length": str(200 * MIB), "x-probe": "declared"}
    status, body = await raw_request(port, "POST", "/api/auth/login", declared, repeated(b"x", 200 * MIB))
    assert status == 413
    assert meter.read["declared"] == 0


async def test_an_upload_is_bounded_by_the_upload_limit(metered: tuple[BodyMeter, int], owner: dict[str, Any]) -> None:
    meter, port = metered
    limit = EdgeSettings.model_fields["max_upload_body_bytes"].default
    head = form_head(owner["access_token"], "upload-declared", limit + 1)
    status, answer = await raw_request(port, "POST", "/api/images", head, repeated(b"x", limit + 1))
    assert (status, answer) == (413, {"detail": "request body too large"})
    assert meter.read["upload-declared"] == 0


async def test_the_uploader_is_verified_before_the_body_is_read(
    metered: tuple[BodyMeter, int], owner: dict[str, Any]
) -> None:
    meter, port = metered
    body = FILE_PART_HEAD + GARDEN_PNG.read_bytes() + b"\r\n--b--\r\n"
    for probe, token in [("garbage", "not-a-token"), ("forged", owner["access_token"][:-4] + "AAAA")]:
        status, answer = await raw_request(
            port, "POST", "/api/images", form_head(token, probe, len(body)), iter([body])
        )
        assert status == 401, answer
        assert meter.read[probe] == 0


async def test_a_form_of_empty_parts_is_refused_at_the_first(
    metered: tuple[BodyMeter, int], owner: dict[str, Any]
) -> None:
    meter, port = metered
    empty_parts = 8 * MIB
    head = form_head(owner["access_token"], "parts", empty_parts + len(FILE_PART_HEAD) + 10)
    body = iter([*repeated(b"--b\r\n\r\n\r\n", empty_parts), FILE_PART_HEAD, b"x" * 10])
    status, answer = await raw_request(port, "POST", "/api/images", head, body)
    assert (status, answer) == (
        422,
        {
            "detail": (
                "unknown form field '': the upload takes only "
                "'format', 'quality', 'width', 'height', 'fit', 'enlarge', 'file'"
            )
        },
    )
    assert meter.read["parts"] <= READ_SLACK


async def test_the_part_count_is_enforced_as_parts_begin() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\npng\r\n' * 3

    limits = FormLimits(
        max_parts=1, max_bytes_before_file=1024, max_part_header_bytes=1024, max_framing_bytes=1024, deadline_seconds=5
    )
    form = FileUpload("multipart/form-data; boundary=b", body(), limits)
    with pytest.raises(InvalidArgument, match="the form has more than 1 parts"):
        await form.start()  # the whole form comes in one chunk: the second part begins within it


async def test_a_malformed_form_is_refused_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """The parser's own WARNING for every malformed form would let any client fill the logs: the 4xx
    says it, and the access log has the request."""

    async def body() -> AsyncIterator[bytes]:
        yield b"--x" + b"not the boundary\r\n" * 10

    caplog.set_level(logging.DEBUG)
    limits = FormLimits(
        max_parts=4, max_bytes_before_file=1024, max_part_header_bytes=1024, max_framing_bytes=1024, deadline_seconds=5
    )
    with pytest.raises(InvalidArgument, match="malformed multipart body"):
        await FileUpload("multipart/form-data; boundary=b", body(), limits).start()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    ("probe", "before", "after", "detail"),
    [
        ("preamble", b"\r\n" * (8 * MIB), b"\r\n--b--\r\n", "the form's preamble is over 1,024 bytes"),
        ("epilogue", b"", b"\r\n--b--\r\n" + b"\r\n" * (8 * MIB),
         "the form after the 'file' field is over 1,024 bytes"),
        ("fields", b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n' + b"n" * (8 * MIB) + b"\r\n",
         b"\r\n--b--\r\n", "unknown form field 'note': the upload takes only "
         "'format', 'quality', 'width', 'height', 'fit', 'enlarge', 'file'"),
    ],
)  # fmt: skip
async def test_what_surrounds_the_file_is_bounded(
    metered: tuple[BodyMeter, int], owner: dict[str, Any], probe: str, before: bytes, after: bytes, detail: str
) -> None:
    meter, port = metered
    image = GARDEN_PNG.read_bytes()
    body = before + FILE_PART_HEAD + image + after
    head = form_head(owner["access_token"], probe, len(body))
    status, answer = await raw_request(port, "POST", "/api/images", head, repeated(body, len(body)))
    assert (status, answer) == (422, {"detail": detail})
    assert meter.read[probe] <= len(image) + READ_SLACK


async def test_the_form_before_the_file_has_a_deadline(metered: tuple[BodyMeter, int], owner: dict[str, Any]) -> None:
    _, port = metered

    def stalls() -> Iterator[bytes]:
        yield b"--b\r\nContent-Disposition: form-da"  # ...and nothing more, the connection held open

    status, answer = await raw_request(
        port, "POST", "/api/images", form_head(owner["access_token"], "slow", 10_000), stalls()
    )
    assert (status, answer) == (422, {"detail": f"the 'file' field did not begin within {FORM_DEADLINE:g} s"})


@pytest.mark.parametrize("length", [71, 257, 2000])
async def test_an_overlong_boundary_is_a_clear_4xx(http: httpx.AsyncClient, owner: dict[str, Any], length: int) -> None:
    boundary = "b" * length
    body = (
        f"--{boundary}\r\n".encode() + FILE_PART_HEAD[5:] + GARDEN_PNG.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = bearer(owner) | {"content-type": f"multipart/form-data; boundary={boundary}"}
    response = await http.post("/api/images", content=body, headers=headers)
    assert response.status_code == 422
    assert response.json() == {"detail": "the multipart boundary is longer than 70 characters"}


async def test_the_longest_boundary_is_accepted(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    boundary = "b" * 70
    body = (
        f"--{boundary}\r\n".encode() + FILE_PART_HEAD[5:] + GARDEN_PNG.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = bearer(owner) | {"content-type": f"multipart/form-data; boundary={boundary}"}
    response = await http.post("/api/images", content=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_early_refusals_of_large_uploads_keep_their_status(
    http: httpx.AsyncClient, owner: dict[str, Any]
) -> None:
    # svc_images refuses each from its first bytes, while the edge is still streaming the rest.
    padding = b"\0" * (19 * MIB // 10)
    bomb = png_declaring(100_000, 100_000) + padding
    text = b"not a photo, just bytes\n" * (len(padding) // 24)
    bodies = [bomb, text] * 15
    answers = await asyncio.gather(*(upload(http, owner, body, filename="big.png") for body in bodies))
    assert [a.status_code for a in answers] == [422, 415] * 15, [a.text for a in answers if a.status_code >= 500]
    assert all(a.json()["detail"] for a in answers)


async def test_a_client_leaving_mid_upload_is_one_info_line(
    metered: tuple[BodyMeter, int], owner: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    meter, port = metered
    caplog.set_level(logging.INFO)
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    head = form_head(owner["access_token"], "leaves", 4 * MIB)
    writer.write(b"POST /api/images HTTP/1.1\r\nhost: 127.0.0.1\r\n")
    writer.write("".join(f"{k}: {v}\r\n" for k, v in head.items()).encode() + b"\r\n")
    writer.write(FILE_PART_HEAD + ORIENTED_JPEG.read_bytes()[:20_000])
    await writer.drain()
    await meter.wait_read("leaves", 20_000)  # the edge is streaming it to svc_images
    writer.close()
    await asyncio.wait_for(meter.finished["leaves"].wait(), 10)
    edge_records = [r for r in caplog.records if r.name.startswith(("edge", "uvicorn"))]
    assert [r.getMessage() for r in edge_records if r.levelno >= logging.WARNING] == []
    assert [r.levelno for r in edge_records if "upload abandoned" in r.getMessage()] == [logging.INFO]
