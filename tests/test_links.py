"""Variants by name and temporary links, over the real stack: a link works without any token until
it expires (410), is the same within its window, and any change to it reaches nothing."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import pyvips

from pixelflow.errors import InvalidArgument
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.runtime.testing import RunningService
from svc_images.links import LinkPolicy, expiry, sign
from svc_images.settings import ImagesSettings
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, upload
from tests.support.users import bearer, register
from tests.test_runtime import _grpcurl

pytestmark = pytest.mark.usefixtures("worker")
IMAGES = "pixelflow.images.v1.Images"


async def _done(http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, data: bytes, name: str) -> str:
    response = await upload(http, owner, data, filename=name)
    assert response.status_code == 201, response.text
    await listener.wait_for(response.json()["id"], "done")
    image_id: str = response.json()["id"]
    return image_id


async def _link(http: httpx.AsyncClient, owner: dict[str, Any], image_id: str, **body: Any) -> httpx.Response:
    return await http.post(f"/api/images/{image_id}/links", json=body, headers=bearer(owner))


async def _anonymous_get(url: str, **headers: str) -> httpx.Response:
    """The link opened somewhere else: a new client that has never signed in."""
    async with httpx.AsyncClient(timeout=30) as anonymous:
        return await anonymous.get(url, headers=headers)


def _replace(url: str, *, path: str | None = None, **query: str) -> str:
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()} | query
    return urlunsplit(parts._replace(path=path or parts.path, query="&".join(f"{k}={v}" for k, v in params.items())))


async def test_a_variant_by_name_is_the_optimized_file_with_its_caching(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    image_id = await _done(http, owner, listener, ORIENTED_JPEG.read_bytes(), "ladybird.jpg")
    optimized = await http.get(f"/api/images/{image_id}/optimized", headers=bearer(owner))
    variant = await http.get(f"/api/images/{image_id}/variants/optimized", headers=bearer(owner))
    assert variant.status_code == 200
    assert variant.content == optimized.content
    for name in ("content-type", "etag", "cache-control", "content-length", "x-content-type-options"):
        assert variant.headers[name] == optimized.headers[name], name
    assert variant.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert pyvips.Image.new_from_buffer(variant.content, "").get("vips-loader") == "webpload_buffer"

    etag = variant.headers["etag"]
    for condition in (etag, "*", f'"other", W/{etag}'):
        again = await http.get(
            f"/api/images/{image_id}/variants/optimized", headers=bearer(owner) | {"If-None-Match": condition}
        )
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag), condition

    for name in ("poster", "original", "w99999", "..%2Foptimized"):
        unknown = await http.get(f"/api/images/{image_id}/variants/{name}", headers=bearer(owner))
        assert unknown.status_code == 404, name
        assert isinstance(unknown.json()["detail"], str)
    # A 300-pixel-wide photo gets no 2048-pixel width (and none at all before the variants' worker).
    assert (await http.get(f"/api/images/{image_id}/variants/w2048", headers=bearer(owner))).status_code == 404

    stranger = await register(http)
    foreign = await http.get(f"/api/images/{image_id}/variants/optimized", headers=bearer(stranger))
    assert (foreign.status_code, foreign.json()) == (404, {"detail": "image not found"})
    missing = await http.get(f"/api/images/{uuid.uuid4()}/variants/optimized", headers=bearer(owner))
    assert (missing.status_code, missing.json()) == (404, {"detail": "image not found"})
    assert (await http.get(f"/api/images/{image_id}/variants/optimized")).status_code == 401


async def test_thumbnail_variant_needs_the_variants_worker(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    """Passes once the worker renders `thumbnail` (the variants branch): fails before it, by design."""
    image_id = await _done(http, owner, listener, ORIENTED_JPEG.read_bytes(), "ladybird.jpg")
    thumbnail = await http.get(f"/api/images/{image_id}/variants/thumbnail", headers=bearer(owner))
    assert thumbnail.status_code == 200, thumbnail.text
    assert thumbnail.headers["content-type"] == "image/webp"
    assert thumbnail.headers["cache-control"] == "private, max-age=31536000, immutable"
    webp = pyvips.Image.new_from_buffer(thumbnail.content, "")
    assert (webp.width, webp.height) == (128, 128)
    created = await _link(http, owner, image_id, variant="thumbnail")
    assert created.status_code == 201, created.text
    opened = await _anonymous_get(created.json()["url"])
    assert (opened.status_code, opened.content) == (200, thumbnail.content)


async def test_a_link_works_without_any_token_until_it_expires(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, images_settings: ImagesSettings
) -> None:
    image_id = await _done(http, owner, listener, ORIENTED_JPEG.read_bytes(), "ladybird.jpg")
    optimized = await http.get(f"/api/images/{image_id}/optimized", headers=bearer(owner))
    before = datetime.now(UTC).timestamp()
    created = await _link(http, owner, image_id, variant="optimized", expires_in=120)
    assert created.status_code == 201, created.text
    link = created.json()
    assert set(link) == {"url", "expires_at"}
    url, expires_at = link["url"], datetime.fromisoformat(link["expires_at"])
    assert url.startswith(str(http.base_url).rstrip("/") + f"/api/links/{image_id}/optimized?")
    assert owner["access_token"] not in url
    assert owner["refresh_token"] not in url
    window = images_settings.link_window_seconds
    assert before + 120 <= expires_at.timestamp() <= math.ceil((before + 120 + 5) / window) * window
    assert expires_at.timestamp() % window == 0

    opened = await _anonymous_get(url)
    assert opened.status_code == 200, opened.text
    assert opened.content == optimized.content
    assert opened.headers["content-type"] == "image/webp"
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert opened.headers["x-content-type-options"] == "nosniff"
    assert "content-disposition" not in opened.headers
    max_age = int(opened.headers["cache-control"].removeprefix("private, max-age=").removesuffix(", immutable"))
    assert 0 < max_age <= expires_at.timestamp() - before
    cached = await _anonymous_get(url, **{"If-None-Match": opened.headers["etag"]})
    assert (cached.status_code, cached.content) == (304, b"")

    # The same link, signed with an expiry already past (as it will be): 410, whatever else is asked.
    past = int(before) - 1
    owner_id = owner["user"]["id"]
    signature = sign(
        key=images_settings.link_key, image_id=image_id, owner_id=owner_id, variant="optimized", expires=past
    )
    expired_url = _replace(url, expires=str(past), signature=signature)
    for headers in ({}, {"If-None-Match": opened.headers["etag"]}):
        expired = await _anonymous_get(expired_url, **headers)
        assert expired.status_code == 410
        assert expired.json() == {"detail": "this link has expired: ask for a new one"}
        assert expired.headers["referrer-policy"] == "no-referrer"


async def test_a_link_is_the_same_within_its_window(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    image_id = await _done(http, owner, listener, GARDEN_PNG.read_bytes(), "garden.png")
    first = await _link(http, owner, image_id, variant="optimized")
    again = await _link(http, owner, image_id, variant="optimized")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    default_lifetime = datetime.fromisoformat(first.json()["expires_at"]).timestamp() - datetime.now(UTC).timestamp()
    assert default_lifetime > 3600 - 5
    original = await _link(http, owner, image_id, variant="original")
    assert original.json()["url"] != first.json()["url"]
    assert original.json()["url"].split("?")[0].endswith(f"/api/links/{image_id}/original")


async def test_an_altered_link_reaches_nothing(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    image_id = await _done(http, owner, listener, GARDEN_PNG.read_bytes(), "garden.png")
    other_id = await _done(http, owner, listener, ORIENTED_JPEG.read_bytes(), "ladybird.jpg")
    stranger = await register(http)
    strangers = (await upload(http, stranger, GARDEN_PNG.read_bytes(), filename="theirs.png")).json()["id"]
    url = (await _link(http, owner, image_id, variant="optimized")).json()["url"]
    assert (await _anonymous_get(url)).status_code == 200
    path = urlsplit(url).path
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    altered = {
        "another image of the owner": _replace(url, path=path.replace(image_id, other_id)),
        "another person's image": _replace(url, path=path.replace(image_id, strangers)),
        "the image id in capitals": _replace(url, path=path.replace(image_id, image_id.upper())),
        "another variant": _replace(url, path=path.replace("/optimized", "/original")),
        "a variant no link names": _replace(url, path=path.replace("/optimized", "/optimized%0A1")),
        "a later expiry": _replace(url, expires=str(expires + 3600)),
        "an earlier expiry": _replace(url, expires=str(expires - 1)),
        "a changed signature": _replace(url, signature=flipped),
        "another link's signature": _replace(
            url,
            signature=parse_qs(urlsplit((await _link(http, owner, other_id, variant="optimized")).json()["url"]).query)[
                "signature"
            ][0],
        ),
    }
    for what, changed in altered.items():
        refused = await _anonymous_get(changed)
        assert refused.status_code == 404, what
        assert refused.json() == {"detail": "link not found"}, what
    for malformed in (_replace(url, signature=signature[:-1]), _replace(url, expires="soon"), url.split("?")[0]):
        refused = await _anonymous_get(malformed)
        assert refused.status_code == 422, malformed
        assert isinstance(refused.json()["detail"], list)


async def test_links_to_missing_or_foreign_images(
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    listener: Listener,
    images_settings: ImagesSettings,
) -> None:
    image_id = await _done(http, owner, listener, GARDEN_PNG.read_bytes(), "garden.png")
    stranger = await register(http)
    for who, target in ((stranger, image_id), (owner, str(uuid.uuid4())), (owner, "not-a-uuid")):
        refused = await _link(http, who, target, variant="optimized")
        assert (refused.status_code, refused.json()) == (404, {"detail": "image not found"})
    assert (await http.post(f"/api/images/{image_id}/links", json={"variant": "optimized"})).status_code == 401

    unrendered = await _link(http, owner, image_id, variant="w2048")
    assert unrendered.status_code == 404
    for body, field in (
        ({"variant": "poster"}, "variant"),
        ({"variant": "optimized", "expires_in": 59}, "expires_in"),
        ({"variant": "optimized", "expires_in": 7 * 24 * 3600 + 1}, "expires_in"),
        ({"variant": "optimized", "expires_in": 10**30}, "expires_in"),
        ({"variant": "optimized", "url": "x"}, "url"),
    ):
        invalid = await _link(http, owner, image_id, **body)
        assert invalid.status_code == 422, body
        assert invalid.json()["detail"][0]["loc"] == ["body", field], invalid.json()
    week = await _link(http, owner, image_id, variant="optimized", expires_in=7 * 24 * 3600)
    assert week.status_code == 201

    # A link that was good stops the moment its image is gone.
    url = (await _link(http, owner, image_id, variant="original")).json()["url"]
    assert (await _anonymous_get(url)).status_code == 200
    database = await asyncpg.connect(images_settings.database_url.replace("postgres://", "postgresql://", 1))
    try:
        await database.execute("DELETE FROM images WHERE id = $1", uuid.UUID(image_id))
    finally:
        await database.close()
    gone = await _anonymous_get(url)
    assert (gone.status_code, gone.json()) == (404, {"detail": "link not found"})


async def test_grpcurl_creates_and_follows_a_link(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, images_server: RunningService
) -> None:
    image_id = await _done(http, owner, listener, GARDEN_PNG.read_bytes(), "garden.png")
    described = await _grpcurl("-plaintext", images_server.address, "describe", IMAGES)
    for method in ("DownloadVariant", "DownloadOriginal", "CreateLink", "DownloadLink"):
        assert f"rpc {method} (" in described
    token = f"authorization: Bearer {owner['access_token']}"
    request = json.dumps({"id": image_id, "variant": "optimized", "expiresInSeconds": 600})
    link = json.loads(
        await _grpcurl("-plaintext", "-H", token, "-d", request, images_server.address, f"{IMAGES}/CreateLink")
    )
    assert link["image_id"] == image_id
    assert link["variant"] == "optimized"
    # Streamed back without any authorization, exactly as the edge serves it.
    stub = images_pb2_grpc.ImagesStub(images_server.channel)
    chunks = [
        message
        async for message in stub.DownloadLink(
            images_pb2.DownloadLinkRequest(
                image_id=image_id, variant="optimized", expires=int(link["expires"]), signature=link["signature"]
            )
        )
    ]
    assert chunks[0].header.content_type == "image/webp"
    body = b"".join(message.chunk for message in chunks[1:])
    assert body == (await http.get(f"/api/images/{image_id}/optimized", headers=bearer(owner))).content


def test_an_expiry_is_rounded_up_to_the_window_and_bounded() -> None:
    policy = LinkPolicy(key=b"k", default_seconds=3600, min_seconds=60, max_seconds=7 * 86400, window_seconds=300)
    # Every request within one window gets the same expiry: at least what was asked.
    assert {expiry(expires_in_seconds=60, policy=policy, now=now) for now in (1000.0, 1090.5, 1140.0)} == {1200}
    assert expiry(expires_in_seconds=60, policy=policy, now=1140.5) == 1500
    assert expiry(expires_in_seconds=0, policy=policy, now=1000.0) == 4800  # the default hour
    for seconds in (-1, 59, 7 * 86400 + 1):
        with pytest.raises(InvalidArgument) as refused:
            expiry(expires_in_seconds=seconds, policy=policy, now=1000.0)
        assert refused.value.field == "expires_in"


async def test_the_document_describes_links_as_served(http: httpx.AsyncClient) -> None:
    document = (await http.get("/openapi.json")).json()
    create = document["paths"]["/api/images/{image_id}/links"]["post"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TemporaryLink"
    }
    lifetime = document["components"]["schemas"]["LinkRequest"]["properties"]["expires_in"]["anyOf"][0]
    assert (lifetime["minimum"], lifetime["maximum"]) == (60, 7 * 24 * 3600)
    served = document["paths"]["/api/links/{image_id}/{variant}"]["get"]
    assert {"200", "304", "404", "410"} <= set(served["responses"])
    assert "security" not in served  # no token: the signature is the credential
    for path in ("/api/images/{image_id}/variants/{name}", "/api/images/{image_id}/original"):
        assert {"200", "304", "401", "404"} <= set(document["paths"][path]["get"]["responses"])
