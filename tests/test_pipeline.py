"""The image pipeline end to end: HTTP upload → svc_images → S3 + PostgreSQL → SAQ → svc_worker →
WebP in S3 → status → Socket.IO event in the owner's room → download."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pyvips
import socketio

from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, animated_gif, upload
from tests.support.services import WorkerProcess
from tests.support.users import bearer, register

pytestmark = pytest.mark.usefixtures("worker")


async def test_photo_goes_through_the_whole_pipeline(
    http: httpx.AsyncClient, edge_url: str, owner: dict[str, Any], listener: Listener, worker: WorkerProcess
) -> None:
    stranger = await register(http)
    stranger_listener = Listener()
    await stranger_listener.connect(edge_url, stranger["access_token"])

    original = ORIENTED_JPEG.read_bytes()
    response = await upload(http, owner, original, filename="ladybird.jpg")
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["status"] == "queued"
    assert (image["original_name"], image["size_bytes"]) == ("ladybird.jpg", len(original))
    assert (image["width"], image["height"]) == (300, 480)  # as stored, before auto-rotation
    assert image["optimized_url"] is None

    done = await listener.wait_for(image["id"], "done")
    assert done["optimized_url"] == f"/api/images/{image['id']}/optimized"
    assert (done["width"], done["height"]) == (480, 300), worker.log()
    assert 0 < done["optimized_size_bytes"] < len(original)
    assert {e["status"] for e in listener.events if e["id"] == image["id"]} <= {"processing", "done"}
    # svc_images sends the event and the edge answers reads from one schema: the same JSON either way.
    fetched = await http.get(f"/api/images/{image['id']}", headers=bearer(owner))
    assert fetched.json() == done

    optimized = await http.get(done["optimized_url"], headers=bearer(owner))
    assert optimized.status_code == 200
    assert optimized.headers["content-type"] == "image/webp"
    assert optimized.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert int(optimized.headers["content-length"]) == len(optimized.content) == done["optimized_size_bytes"]
    webp = pyvips.Image.new_from_buffer(optimized.content, "")
    assert webp.get("vips-loader") == "webpload_buffer"
    assert (webp.width, webp.height) == (480, 300)
    assert not [field for field in webp.get_fields() if field.startswith(("exif", "xmp", "iptc"))]
    assert b"GPS" not in optimized.content
    assert b"Exif" not in optimized.content

    etag = optimized.headers["etag"]
    # RFC 9110 13.1.2: any current representation matches `*`, and the comparison is weak.
    for condition in (etag, "*", f'"other", W/{etag}'):
        again = await http.get(done["optimized_url"], headers=bearer(owner) | {"If-None-Match": condition})
        assert (again.status_code, again.content) == (304, b""), condition
    changed = await http.get(done["optimized_url"], headers=bearer(owner) | {"If-None-Match": '"other"'})
    assert changed.status_code == 200

    for path in (f"/api/images/{image['id']}", "/api/images/latest"):
        fetched = await http.get(path, headers=bearer(owner))
        assert fetched.status_code == 200
        assert fetched.json() == done
    listed = (await http.get("/api/images", headers=bearer(owner))).json()
    assert listed == {"items": [done], "next_cursor": None}

    for path in (f"/api/images/{image['id']}", done["optimized_url"]):
        foreign = await http.get(path, headers=bearer(stranger))
        assert foreign.status_code == 404
        assert foreign.json() == {"detail": "image not found"}
    assert (await http.get("/api/images/latest", headers=bearer(stranger))).status_code == 404
    assert (await http.get("/api/images", headers=bearer(stranger))).json() == {"items": [], "next_cursor": None}
    assert stranger_listener.events == []
    await stranger_listener.close()


async def test_png_is_converted(http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener) -> None:
    response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename="garden.png", content_type="image/png")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "image/png"
    done = await listener.wait_for(response.json()["id"], "done")
    assert (done["width"], done["height"]) == (320, 200)


async def test_animation_stays_animated(http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener) -> None:
    response = await upload(http, owner, animated_gif(3), filename="blink.gif", content_type="image/gif")
    assert response.status_code == 201, response.text
    done = await listener.wait_for(response.json()["id"], "done")
    assert (done["width"], done["height"]) == (24, 16)
    body = (await http.get(done["optimized_url"], headers=bearer(owner))).content
    webp = pyvips.Image.new_from_buffer(body, "", n=-1)
    assert webp.get("n-pages") == 3


async def test_a_truncated_jpeg_fails_with_a_reason(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    data = ORIENTED_JPEG.read_bytes()
    response = await upload(http, owner, data[: len(data) // 2], filename="cut.jpg")
    assert response.status_code == 201, response.text  # the header is intact; decoding is the worker's
    failed = await listener.wait_for(response.json()["id"], "failed")
    assert failed["error"].startswith("cannot convert this image: ")
    assert "premature end" in failed["error"].lower() or "truncated" in failed["error"].lower()
    assert failed["optimized_url"] is None
    download = await http.get(f"/api/images/{failed['id']}/optimized", headers=bearer(owner))
    assert download.status_code == 409
    assert download.json() == {"detail": "the optimized image is not ready (status: failed)"}


async def test_listing_pages_newest_first(http: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    ids = []
    for index in range(5):
        response = await upload(http, owner, GARDEN_PNG.read_bytes(), filename=f"{index}.png")
        ids.append(response.json()["id"])
    seen: list[str] = []
    cursor = ""
    while True:
        page = (await http.get("/api/images", params={"limit": 2, "cursor": cursor}, headers=bearer(owner))).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert seen == list(reversed(ids))
    bad = await http.get("/api/images", params={"cursor": "!!garbage"}, headers=bearer(owner))
    assert bad.status_code == 422


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
async def test_sockets_without_a_valid_token_are_refused(edge_url: str, token: str | None) -> None:
    listening = Listener()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await listening.connect(edge_url, token)
    assert not listening.client.connected
