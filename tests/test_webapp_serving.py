"""The web app's files through the real edge: the precompressed copy the request accepts (written by
the web app's own build step), `Vary`, caching by kind of file, exact lengths, ETag and 304."""

from __future__ import annotations

import gzip
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from edge.app import create_app
from edge.webapp import choose_encoding
from pixelflow.runtime.testing import RunningService
from tests.conftest import edge_settings_for
from tests.support.http import serve_http

PRECOMPRESS = Path(__file__).parents[1] / "web" / "scripts" / "precompress.mjs"
SCRIPT = ("console.log('pixelflow');\n" * 400).encode()
STYLE = ("body { margin: 0; color: #222; }\n" * 200).encode()
INDEX = b"<!doctype html><title>pixelflow</title>" + b"<!-- padding so it compresses -->" * 40


@dataclass
class Raw:
    status: int
    headers: httpx.Headers
    body: bytes


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build's layout, compressed by the same script `npm run build` runs."""
    root = tmp_path_factory.mktemp("dist")
    (root / "assets").mkdir()
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-AbC123.js").write_bytes(SCRIPT)
    (root / "assets" / "index-AbC123.css").write_bytes(STYLE)
    (root / "assets" / "tiny-AbC123.js").write_bytes(b"export{};")
    (root / "manifest.webmanifest").write_bytes(b'{"name": "pixelflow"}')
    subprocess.run(["node", str(PRECOMPRESS), str(root)], check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
async def client(
    auth_server: RunningService, images_server: RunningService, redis_prefix: str, dist: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = edge_settings_for(auth_server.address, redis_prefix, images_address=images_server.address, web_dist=dist)
    async with serve_http(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as opened:
        yield opened


async def fetch(client: httpx.AsyncClient, path: str, method: str = "GET", **headers: str) -> Raw:
    """The bytes as sent: httpx would otherwise undo gzip on its own."""
    headers.setdefault("accept_encoding", "identity")
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    async with client.stream(method, path, headers=sent) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return Raw(response.status_code, response.headers, body)


def unbrotli(data: bytes) -> bytes:
    """Brotli through Node's zlib (no Python brotli package here): the browser's view of the bytes."""
    decode = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run(["node", "-e", decode], input=data, capture_output=True, check=True).stdout


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "identity"),
        ("", "identity"),
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0", "identity"),
        ("*", "br"),
        ("*;q=0.2, gzip;q=0.9", "gzip"),
        ("identity;q=0, *;q=0", "identity"),
        ("identity;q=0.1, gzip;q=0.05", "identity"),
        ("GZIP;Q=1", "gzip"),
        ("br;q=nonsense, gzip", "gzip"),
        ("gzip;q=0.3", "identity"),
        ("deflate", "identity"),
    ],
)
def test_the_encoding_honours_q_values(accept: str | None, expected: str) -> None:
    assert choose_encoding(accept, ["br", "gzip"]) == expected


def test_a_missing_copy_is_never_chosen() -> None:
    assert choose_encoding("br, gzip", ["gzip"]) == "gzip"
    assert choose_encoding("br", []) == "identity"


async def test_brotli_gzip_and_identity_as_the_client_asks(client: httpx.AsyncClient, dist: Path) -> None:
    path = "/assets/index-AbC123.js"
    br = await fetch(client, path, accept_encoding="gzip, deflate, br")
    gz = await fetch(client, path, accept_encoding="gzip;q=1, br;q=0.5")
    plain = await fetch(client, path, accept_encoding="identity")
    absent = await fetch(client, path, accept_encoding="")

    assert br.headers["content-encoding"] == "br"
    assert br.body == (dist / "assets" / "index-AbC123.js.br").read_bytes()
    assert unbrotli(br.body) == SCRIPT
    assert gz.headers["content-encoding"] == "gzip"
    assert gzip.decompress(gz.body) == SCRIPT
    assert "content-encoding" not in plain.headers
    assert plain.body == SCRIPT
    assert "content-encoding" not in absent.headers
    assert absent.body == SCRIPT
    assert len(br.body) < len(gz.body) < len(SCRIPT)
    for response in (br, gz, plain, absent):
        assert response.status == 200
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["content-length"] == str(len(response.body))
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Each representation has its own validator, or a cache could answer one with another.
    assert len({br.headers["etag"], gz.headers["etag"], plain.headers["etag"]}) == 3


async def test_index_and_client_routes_revalidate(client: httpx.AsyncClient) -> None:
    index = await fetch(client, "/", accept_encoding="br")
    route = await fetch(client, "/gallery/somewhere", accept_encoding="gzip")
    assert index.headers["content-encoding"] == "br"
    assert unbrotli(index.body) == INDEX
    assert route.headers["content-encoding"] == "gzip"
    assert gzip.decompress(route.body) == INDEX
    for response in (index, route):
        assert response.status == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["vary"] == "Accept-Encoding"
        assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_etag_gives_304_per_representation(client: httpx.AsyncClient) -> None:
    first = await fetch(client, "/", accept_encoding="br")
    again = await fetch(client, "/", accept_encoding="br", if_none_match=first.headers["etag"])
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["vary"] == "Accept-Encoding"
    assert again.headers["cache-control"] == "no-cache"
    # The brotli copy's tag does not validate the gzip copy.
    other = await fetch(client, "/", accept_encoding="gzip", if_none_match=first.headers["etag"])
    assert other.status == 200
    assert gzip.decompress(other.body) == INDEX
    asset = await fetch(client, "/assets/index-AbC123.css", accept_encoding="br")
    cached = await fetch(client, "/assets/index-AbC123.css", accept_encoding="br", if_none_match=asset.headers["etag"])
    assert cached.status == 304
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_head_has_the_chosen_copys_length(client: httpx.AsyncClient, dist: Path) -> None:
    head = await fetch(client, "/assets/index-AbC123.css", method="HEAD", accept_encoding="br")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-encoding"] == "br"
    assert head.headers["content-length"] == str((dist / "assets" / "index-AbC123.css.br").stat().st_size)
    assert head.headers["content-type"] == "text/css; charset=utf-8"


def test_the_build_step_skips_what_would_not_shrink(dist: Path) -> None:
    assert sorted(path.name for path in (dist / "assets").iterdir()) == [
        "index-AbC123.css",
        "index-AbC123.css.br",
        "index-AbC123.css.gz",
        "index-AbC123.js",
        "index-AbC123.js.br",
        "index-AbC123.js.gz",
        "tiny-AbC123.js",
    ]


async def test_small_files_go_as_they_are(client: httpx.AsyncClient) -> None:
    tiny = await fetch(client, "/assets/tiny-AbC123.js", accept_encoding="br, gzip")
    manifest = await fetch(client, "/manifest.webmanifest", accept_encoding="br, gzip")
    assert tiny.status == 200
    assert tiny.body == b"export{};"
    assert "content-encoding" not in tiny.headers
    assert "vary" not in tiny.headers
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.headers["cache-control"] == "no-cache"


async def test_unknown_files_and_api_paths_stay_404(client: httpx.AsyncClient) -> None:
    missing = await fetch(client, "/assets/nope.js", accept_encoding="br")
    copy = await fetch(client, "/assets/index-AbC123.js.br", accept_encoding="br")
    assert copy.status == 404
    api = await fetch(client, "/api/nothing", accept_encoding="br")
    assert missing.status == 404
    assert api.status == 404
    assert api.body == b'{"detail":"Not Found"}'


async def test_a_share_without_service_worker_opens_the_app(client: httpx.AsyncClient) -> None:
    shared = await client.post("/share-target", files={"photos": ("a.jpg", b"\xff\xd8 not read", "image/jpeg")})
    assert shared.status_code == 303
    assert shared.headers["location"] == "/?shared=0"
    other = await client.post("/signin", content=b"x")
    assert other.status_code == 405
