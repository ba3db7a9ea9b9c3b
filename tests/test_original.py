"""The original as uploaded: the same bytes, typed as sniffed, offered only as an attachment under
its own name (RFC 6266), and never rendered as a page; through a temporary link as well."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import pyvips

from edge.downloads import attachment
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, upload
from tests.support.users import bearer, register

UNICODE_NAME = "Marienkäfer «rot» 🐞 日本.jpg"


# RFC 8187's ext-value in UTF-8: only attr-chars and %-escapes, as a client that prefers it reads it.
_EXT_FILENAME = re.compile(r"; filename\*=UTF-8''((?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+)$")


def _filename(disposition: str) -> str:
    """The name a client reads from the header: `filename*` (RFC 6266 4.3: preferred when present)."""
    match = _EXT_FILENAME.search(disposition)
    assert match, disposition
    return unquote(match.group(1), encoding="utf-8", errors="strict")


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        (UNICODE_NAME, "Marienkafer rot  .jpg"),
        ('say "cheese"\\%20.png', "say _cheese___20.png"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("🐞", "original"),
        ("plain name.gif", "plain name.gif"),
    ],
)
def test_the_disposition_names_the_file_both_ways(name: str, fallback: str) -> None:
    disposition = attachment(name)
    disposition.encode("ascii")  # a header value: ASCII only, whatever the name
    assert disposition.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''")
    assert _filename(disposition) == name


async def test_the_original_comes_back_as_uploaded(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    data = ORIENTED_JPEG.read_bytes()
    image = (await upload(http, owner, data, filename=UNICODE_NAME)).json()
    response = await http.get(f"/api/images/{image['id']}/original", headers=bearer(owner))
    assert response.status_code == 200, response.text
    assert response.content == data
    assert int(response.headers["content-length"]) == len(data)
    assert response.headers["content-type"] == "image/jpeg"
    # What it came with is kept: its EXIF orientation (and a location, if it had one).
    assert pyvips.Image.new_from_buffer(response.content, "").get("orientation") == 6
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"Marienkafer rot  .jpg\"; filename*=UTF-8''")
    assert _filename(disposition) == UNICODE_NAME
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"

    etag = response.headers["etag"]
    for condition in (etag, "*", f'"other", W/{etag}'):
        again = await http.get(
            f"/api/images/{image['id']}/original", headers=bearer(owner) | {"If-None-Match": condition}
        )
        assert (again.status_code, again.content) == (304, b""), condition


async def test_the_type_is_the_sniffed_one(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    """A PNG declared as HTML is served as the PNG it is."""
    data = GARDEN_PNG.read_bytes()
    image = (await upload(http, owner, data, filename="page.html", content_type="text/html")).json()
    response = await http.get(f"/api/images/{image['id']}/original", headers=bearer(owner))
    assert (response.status_code, response.content) == (200, data)
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == "attachment; filename=\"page.html\"; filename*=UTF-8''page.html"


async def test_only_its_owner_gets_the_original(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    image = (await upload(http, owner, GARDEN_PNG.read_bytes(), filename="garden.png")).json()
    stranger = await register(http)
    for who, image_id in ((stranger, image["id"]), (owner, str(uuid.uuid4())), (owner, "not-an-id")):
        refused = await http.get(f"/api/images/{image_id}/original", headers=bearer(who))
        assert (refused.status_code, refused.json()) == (404, {"detail": "image not found"})
    assert (await http.get(f"/api/images/{image['id']}/original")).status_code == 401


async def test_a_link_to_the_original_is_an_attachment_that_never_runs(
    http: httpx.AsyncClient, owner: dict[str, Any]
) -> None:
    """Before any processing: the original needs no worker."""
    data = ORIENTED_JPEG.read_bytes()
    image = (await upload(http, owner, data, filename=UNICODE_NAME)).json()
    created = await http.post(
        f"/api/images/{image['id']}/links", json={"variant": "original", "expires_in": 60}, headers=bearer(owner)
    )
    assert created.status_code == 201, created.text
    async with httpx.AsyncClient(timeout=30) as anonymous:
        opened = await anonymous.get(created.json()["url"])
    assert (opened.status_code, opened.content) == (200, data)
    assert opened.headers["content-type"] == "image/jpeg"
    assert _filename(opened.headers["content-disposition"]) == UNICODE_NAME
    assert opened.headers["content-disposition"].startswith("attachment; ")
    assert opened.headers["content-security-policy"] == "sandbox"
    assert opened.headers["x-content-type-options"] == "nosniff"
    assert opened.headers["referrer-policy"] == "no-referrer"
