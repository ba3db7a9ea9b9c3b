"""More hostile input: bombs of other formats, polyglots, truncation of each type, oversized
headers, credentials in the wrong place, foreign origins. Each is a clear 4xx or a clean failure."""

from __future__ import annotations

import logging
import struct
from typing import Any

import httpx
import pytest
import pyvips

from edge.app import create_app
from pixelflow.runtime.testing import RunningService
from pixelflow.tokens import DEV_INTERNAL_TOKEN
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, animated_gif, upload
from tests.support.users import bearer

pytestmark = pytest.mark.usefixtures("worker")


def webp_declaring(width: int, height: int) -> bytes:
    """A real, tiny lossy WebP whose VP8 frame header is rewritten to claim `width`×`height`."""
    data = bytearray(pyvips.Image.black(16, 16, bands=3).webpsave_buffer(Q=50, keep=pyvips.enums.ForeignKeep.NONE))
    assert data[12:16] == b"VP8 "
    assert data[23:26] == b"\x9d\x01\x2a"
    data[26:30] = struct.pack("<HH", width & 0x3FFF, height & 0x3FFF)
    return bytes(data)


async def test_a_webp_bomb_is_refused_from_its_header(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    response = await upload(http, owner, webp_declaring(16_000, 16_000), filename="bomb.webp")
    assert response.status_code == 422
    assert "over the limit of 100,000,000 pixels" in response.json()["detail"]


async def test_a_polyglot_is_served_only_as_a_fresh_webp(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    payload = b"<html><script>alert(document.cookie)</script></html>"
    response = await upload(http, owner, ORIENTED_JPEG.read_bytes() + payload, filename="x.html")
    assert response.status_code == 201
    done = await listener.wait_for(response.json()["id"], "done")
    served = await http.get(done["optimized_url"], headers=bearer(owner))
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert b"<script>" not in served.content
    assert pyvips.Image.new_from_buffer(served.content, "").get("vips-loader") == "webpload_buffer"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (GARDEN_PNG.read_bytes()[: len(GARDEN_PNG.read_bytes()) // 2], "cut.png"),
        (animated_gif(3)[:-40], "cut.gif"),
        (pyvips.Image.new_from_file(str(GARDEN_PNG)).webpsave_buffer(Q=80)[:2000], "cut.webp"),
    ],
)
async def test_truncated_files_fail_cleanly(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, data: bytes, filename: str
) -> None:
    response = await upload(http, owner, data, filename=filename)
    if response.status_code != 201:
        assert response.status_code in (415, 422), response.text
        assert response.json()["detail"]
        return
    # The header is intact: the worker either fails it with a reason, or (GIF's decoder keeps the
    # frames it has) produces a valid WebP from what is there. Never a hang or a lost image.
    image_id = response.json()["id"]
    await listener.wait_for_any(image_id, ("done", "failed"))
    final = (await http.get(f"/api/images/{image_id}", headers=bearer(owner))).json()
    if final["status"] == "failed":
        assert final["error"].startswith("cannot convert this image")
    else:
        served = await http.get(final["optimized_url"], headers=bearer(owner))
        assert pyvips.Image.new_from_buffer(served.content, "").get("vips-loader") == "webpload_buffer"


async def test_oversized_headers_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/auth/me", headers={"X-Padding": "x" * 200_000})
    assert 400 <= response.status_code < 500


async def test_the_internal_credential_means_nothing_at_the_edge(http: httpx.AsyncClient) -> None:
    for authorization in (f"Service {DEV_INTERNAL_TOKEN}", f"Bearer {DEV_INTERNAL_TOKEN}"):
        response = await http.get("/api/images/latest", headers={"Authorization": authorization})
        assert response.status_code == 401
    # No route of the edge reaches the ImageProcessing service at all.
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert not [path for path in paths if "process" in path.lower()]


async def test_a_refused_socket_request_is_an_info_line_the_client_cannot_shape(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for query in ("EIO=999&transport=polling", "EIO=4&transport=pigeon", "EIO=4&transport=polling&sid=a%0Aforged"):
        assert (await http.get(f"/socket.io/?{query}")).status_code == 400
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    refusals = [r.getMessage() for r in caplog.records if "socket.io refused" in r.getMessage()]
    assert len(refusals) == 3
    assert not [message for message in refusals if "\n" in message]


async def test_cors_answers_only_configured_origins(
    auth_server: RunningService, images_server: RunningService, redis_prefix: str
) -> None:
    settings = edge_settings_for(
        auth_server.address,
        redis_prefix,
        images_address=images_server.address,
        cors_origins=["https://photos.example.com"],
    )
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    async with serve_http(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        allowed = await client.options("/api/images", headers=preflight | {"Origin": "https://photos.example.com"})
        foreign = await client.options("/api/images", headers=preflight | {"Origin": "https://evil.example.net"})
    assert allowed.headers["access-control-allow-origin"] == "https://photos.example.com"
    assert "access-control-allow-origin" not in foreign.headers
    assert foreign.status_code == 400


def progressive_jpeg(repeats_of_last_scan: int = 0) -> bytes:
    """A progressive JPEG; optionally its last scan (a refinement) repeated, as a scan bomb does."""
    data: bytes = pyvips.Image.new_from_file(str(GARDEN_PNG)).jpegsave_buffer(Q=85, interlace=True)
    last_scan = data.rindex(b"\xff\xda")
    end = data.rindex(b"\xff\xd9")
    return data[:end] + data[last_scan:end] * repeats_of_last_scan + data[end:]


async def test_a_jpeg_scan_bomb_is_refused_while_streaming(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    normal = progressive_jpeg()
    assert 5 < normal.count(b"\xff\xda") < 20
    accepted = await upload(http, owner, normal, filename="progressive.jpg")
    assert accepted.status_code == 201
    await listener.wait_for(accepted.json()["id"], "done")

    bomb = progressive_jpeg(repeats_of_last_scan=500)
    refused = await upload(http, owner, bomb, filename="scans.jpg")
    assert refused.status_code == 422
    assert refused.json() == {"detail": "the JPEG has more than 100 scans"}
