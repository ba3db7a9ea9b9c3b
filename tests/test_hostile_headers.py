"""Hostile headers and parameters, generated: no token, boundary or cursor gets a 5xx.

Bearer tokens with control and non-ASCII characters, multipart boundaries of every length from 1
to 300 (RFC 2046 allows 70), and list cursors the server never issued: each is a clear 4xx with
a JSON `detail`.
"""

from __future__ import annotations

import asyncio
import base64
import re
from typing import Any
from urllib.parse import urlsplit

import grpc
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.runtime.testing import RunningService
from tests.support.users import bearer

pytestmark = pytest.mark.usefixtures("worker")

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)
AUTHENTICATED = [
    ("GET", "/api/images"),
    ("GET", "/api/images/latest"),
    ("GET", "/api/auth/me"),
    ("POST", "/api/images"),
]
PRINTABLE = re.compile(rb"[\x21-\x7e]+")
# What an HTTP client can put in a header value: tab, visible ASCII, space, and obs-text bytes.
HEADER_BYTES = (
    st.binary(min_size=1, max_size=80)
    .map(lambda raw: bytes(b if b == 9 or 0x20 <= b <= 0x7E or b >= 0x80 else 0x41 + b % 26 for b in raw).strip(b" \t"))
    .filter(bool)
)


async def raw_get(url: str, path: str, authorization: bytes) -> int | None:
    """The status a raw HTTP/1.1 request gets, or None when the server closes without answering."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
        writer.write(b"Authorization: Bearer " + authorization + b"\r\n\r\n")
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
    except ConnectionError:
        return None
    finally:
        writer.close()
    return int(status_line.split()[1]) if status_line else None


async def test_every_byte_in_a_token_is_refused_cleanly(edge_url: str) -> None:
    """Each byte but CR and LF, inside a token: the server's parser drops the request or the edge says 401."""
    for byte in sorted(set(range(256)) - {0x0A, 0x0D}):
        status = await raw_get(edge_url, "/api/images", b"abc" + bytes([byte]) + b"def")
        printable = 0x21 <= byte <= 0x7E
        assert status in ((401,) if printable else (None, 400, 401)), (hex(byte), status)


@PROPERTY
@given(token=HEADER_BYTES, route=st.sampled_from(AUTHENTICATED))
async def test_hostile_bearer_tokens_are_401(http: httpx.AsyncClient, token: bytes, route: tuple[str, str]) -> None:
    method, path = route
    files = {"file": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")} if method == "POST" else None
    response = await http.request(method, path, headers={b"Authorization": b"Bearer " + token}, files=files)
    assert response.status_code == 401, (token, response.text)
    detail = response.json()["detail"]
    if token and not PRINTABLE.fullmatch(token.strip()):
        assert "malformed bearer token" in detail or "missing bearer token" in detail


async def test_a_non_ascii_token_is_named_malformed(http: httpx.AsyncClient) -> None:
    for token in ("naïve", "tab\there", "emoji😀", "ä" * 40):
        response = await http.get("/api/images", headers={b"Authorization": f"Bearer {token}".encode()})
        assert response.status_code == 401
        assert response.json() == {"detail": "malformed bearer token: only printable ASCII characters are allowed"}


async def test_an_overlong_token_is_401_not_a_grpc_limit(http: httpx.AsyncClient) -> None:
    """Past gRPC's 16 KiB of metadata the call used to fail as RESOURCE_EXHAUSTED: 429 naming gRPC."""
    for path in ("/api/images", "/api/auth/sessions", "/api/images/export"):
        for length in (5000, 20000):
            response = await http.get(path, headers={"Authorization": "Bearer " + "a" * length})
            assert response.status_code == 401, (path, length, response.text)
            assert response.json() == {"detail": "malformed bearer token: too long"}


def multipart(boundary: str) -> tuple[str, bytes]:
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="note.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "not an image at all\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    return f'multipart/form-data; boundary="{boundary}"', body


BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?"


async def test_boundaries_of_every_length(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    """Up to 70 characters the form is read (and its text refused as no image); past 70 a clean 4xx."""
    for length in range(1, 301):
        boundary = (BCHARS * 5)[length % len(BCHARS) :][:length]
        content_type, body = multipart(boundary)
        response = await http.post("/api/images", content=body, headers=bearer(owner) | {"Content-Type": content_type})
        assert 400 <= response.status_code < 500, (length, response.status_code, response.text)
        assert response.json()["detail"], length
        if length <= 70:
            assert response.status_code == 415, (length, response.text)


@PROPERTY
@given(boundary=st.text(alphabet=BCHARS + " ", min_size=1, max_size=300).map(str.strip).filter(bool))
async def test_generated_boundaries_never_fail_the_server(
    http: httpx.AsyncClient, owner: dict[str, Any], boundary: str
) -> None:
    content_type, body = multipart(boundary)
    response = await http.post("/api/images", content=body, headers=bearer(owner) | {"Content-Type": content_type})
    assert 400 <= response.status_code < 500, (boundary, response.text)


def unsigned_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


NEVER_ISSUED = [
    unsigned_cursor("0001-01-01T00:00:00+14:00|00000000-0000-0000-0000-000000000000"),
    unsigned_cursor("9999-12-31T23:59:59-14:00|00000000-0000-0000-0000-000000000000"),
    unsigned_cursor("2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000"),
    unsigned_cursor("2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000") + ".AAAAAAAAAAAAAAAAAAAAAA",
    "....",
    "%%%",
]


async def test_cursors_never_issued_are_422(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    for cursor in NEVER_ISSUED:
        response = await http.get("/api/images", params={"cursor": cursor}, headers=bearer(owner))
        assert response.status_code == 422, (cursor, response.text)
        [error] = response.json()["detail"]
        assert error["loc"] == ["query", "cursor"]
        assert error["msg"], cursor


@PROPERTY
@given(cursor=st.text(min_size=1, max_size=512))
async def test_generated_cursors_are_422(http: httpx.AsyncClient, owner: dict[str, Any], cursor: str) -> None:
    response = await http.get("/api/images", params={"cursor": cursor}, headers=bearer(owner))
    assert response.status_code == 422, (cursor, response.text)


async def test_cursors_never_issued_are_invalid_argument_over_grpc(
    images_server: RunningService, owner: dict[str, Any]
) -> None:
    stub = images_pb2_grpc.ImagesStub(images_server.channel)
    metadata = (("authorization", f"Bearer {owner['access_token']}"),)
    for cursor in NEVER_ISSUED:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.ListImages(images_pb2.ListImagesRequest(page_token=cursor), metadata=metadata)
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "invalid cursor" in (refused.value.details() or "")
