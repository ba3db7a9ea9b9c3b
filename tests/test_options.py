"""Processing options over the running system: every format decoded, every fit measured, the
refusals (422 naming the field, nothing stored), the defaults byte for byte as before, and converting
an image again from its shared original."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
import pyvips

from pixelflow.media.storage import s3_client
from svc_images.settings import ImagesSettings
from tests.support import formats
from tests.support.images import Listener, animated_gif, upload
from tests.support.users import bearer, register

pytestmark = pytest.mark.usefixtures("worker")

SOURCE = formats.jpeg(formats.gradient(400, 300), Q=90)
MAGIC: dict[str, Callable[[bytes], bool]] = {
    "webp": lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP",
    "avif": lambda data: data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"),
    "jpeg": lambda data: data[:3] == b"\xff\xd8\xff",
    "png": lambda data: data[:8] == b"\x89PNG\r\n\x1a\n",
}
LOADER = {"webp": "webpload_buffer", "avif": "heifload_buffer", "jpeg": "jpegload_buffer", "png": "pngload_buffer"}


async def _upload(
    http: httpx.AsyncClient, owner: dict[str, Any], image: bytes, fields: dict[str, str]
) -> httpx.Response:
    """httpx writes `data` fields before `files`: the options come before the file, as they must."""
    files = {"file": ("photo.jpg", image, "image/jpeg")}
    return await http.post("/api/images", data=fields, files=files, headers=bearer(owner))


async def _done(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, options: dict[str, Any], data: bytes = SOURCE
) -> dict[str, Any]:
    fields = {name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in options.items()}
    response = await _upload(http, owner, data, fields)
    assert response.status_code == 201, response.text
    done = await listener.wait_for_any(response.json()["id"], ("done", "failed"))
    assert done["status"] == "done", done["error"]
    return done


async def _result(http: httpx.AsyncClient, owner: dict[str, Any], done: dict[str, Any]) -> httpx.Response:
    response = await http.get(done["optimized_url"], headers=bearer(owner))
    assert response.status_code == 200, response.text
    return response


async def test_each_format_is_written_served_and_decodes(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    formats_ = ("webp", "avif", "jpeg", "png")
    results = await asyncio.gather(*(_done(http, owner, listener, {"format": f, "quality": 70}) for f in formats_))
    for name, done in zip(formats_, results, strict=True):
        content_type = f"image/{name}"
        assert (done["content_type"], done["optimized_content_type"], done["optimized_format"]) == (
            "image/jpeg",
            content_type,
            name,
        )
        assert done["options"] == {
            "format": name,
            "quality": 70,
            "width": None,
            "height": None,
            "fit": "inside",
            "enlarge": False,
        }
        response = await _result(http, owner, done)
        assert response.headers["content-type"] == content_type
        assert response.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert response.headers["etag"]
        again = await http.get(
            done["optimized_url"], headers=bearer(owner) | {"If-None-Match": response.headers["etag"]}
        )
        assert again.status_code == 304
        assert MAGIC[name](response.content), response.content[:16]
        assert len(response.content) == done["optimized_size_bytes"]
        image = pyvips.Image.new_from_buffer(response.content, "")
        assert (image.get("vips-loader"), image.width, image.height) == (LOADER[name], 400, 300)
        assert image.avg() > 10  # pixels, not a blank frame


FITS: list[tuple[dict[str, Any], tuple[int, int]]] = [
    # options, expected output (the source is 400×300)
    ({"width": 200, "height": 200}, (200, 150)),
    ({"width": 100}, (100, 75)),
    ({"height": 60}, (80, 60)),
    ({"width": 800}, (400, 300)),
    ({"width": 800, "enlarge": True}, (800, 600)),
    ({"width": 200, "height": 200, "fit": "cover"}, (200, 200)),
    ({"width": 800, "height": 100, "fit": "cover"}, (400, 100)),
    ({"width": 800, "height": 800, "fit": "cover", "enlarge": True}, (800, 800)),
    ({"width": 120, "fit": "cover"}, (120, 90)),
    ({"width": 100, "height": 200, "fit": "fill"}, (100, 200)),
    ({"width": 800, "height": 150, "fit": "fill"}, (400, 150)),
    ({"width": 800, "height": 150, "fit": "fill", "enlarge": True}, (800, 150)),
]


async def test_each_fit_gives_the_measured_size(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    results = await asyncio.gather(*(_done(http, owner, listener, options) for options, _ in FITS))
    for (options, expected), done in zip(FITS, results, strict=True):
        image = pyvips.Image.new_from_buffer((await _result(http, owner, done)).content, "")
        assert ((done["width"], done["height"]), (image.width, image.height)) == (expected, expected), options
        assert done["downscaled"] is (expected[0] * expected[1] < 400 * 300)


async def test_cover_keeps_the_centre(http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener) -> None:
    # Red | green | blue thirds: a centred square crop of the 300×100 strip is all green.
    strip = formats.flat(100, 100, (255, 0, 0)).join(formats.flat(100, 100, (0, 255, 0)), "horizontal")
    strip = strip.join(formats.flat(100, 100, (0, 0, 255)), "horizontal")
    done = await _done(
        http, owner, listener, {"format": "png", "width": 50, "height": 50, "fit": "cover"}, formats.png(strip)
    )
    image = pyvips.Image.new_from_buffer((await _result(http, owner, done)).content, "")
    assert (image.width, image.height) == (50, 50)
    for x in (0, 25, 49):  # green edge to edge (the resampling blurs the red and blue borders a little)
        red, green, blue = image.getpoint(x, 25)[:3]
        assert green > 200, (x, red, green, blue)
        assert max(red, blue) < 40, (x, red, green, blue)


async def test_quality_shapes_the_lossy_formats_only(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    runs = [("jpeg", 20), ("jpeg", 95), ("avif", 20), ("avif", 95), ("png", 10), ("png", 90)]
    done = await asyncio.gather(*(_done(http, owner, listener, {"format": f, "quality": q}) for f, q in runs))
    sizes = [result["optimized_size_bytes"] for result in done]
    assert sizes[0] < sizes[1]
    assert sizes[2] < sizes[3]
    assert sizes[4] == sizes[5]  # PNG is lossless: quality plays no part


async def test_animation_stays_animated_in_webp_only(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    gif = animated_gif(3)  # 3 frames of 24×16
    webp, png = await asyncio.gather(
        _done(http, owner, listener, {"width": 10, "height": 10, "fit": "cover"}, gif),
        _done(http, owner, listener, {"format": "png", "width": 12}, gif),
    )
    animated = pyvips.Image.new_from_buffer((await _result(http, owner, webp)).content, "", n=-1)
    assert (animated.get("n-pages"), animated.width, animated.get("page-height")) == (3, 10, 10)
    still = pyvips.Image.new_from_buffer((await _result(http, owner, png)).content, "")
    assert (still.width, still.height) == (12, 8)


async def test_no_options_is_webp_q80_full_size_as_before(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, images_settings: ImagesSettings
) -> None:
    plain, explicit = await asyncio.gather(
        _done(http, owner, listener, {}), _done(http, owner, listener, {"format": "webp", "quality": 80})
    )
    before = pyvips.Image.new_from_buffer(SOURCE, "", access="sequential", fail_on="truncated", autorotate=True)
    reference = before.webpsave_buffer(
        Q=images_settings.webp_quality, effort=images_settings.webp_effort, keep=pyvips.enums.ForeignKeep.NONE
    )
    plain_bytes = (await _result(http, owner, plain)).content
    assert plain_bytes == (await _result(http, owner, explicit)).content == reference
    assert plain["options"] == explicit["options"]
    assert (plain["width"], plain["height"], plain["optimized_content_type"]) == (400, 300, "image/webp")


def _multipart(parts: list[tuple[str, bytes, bool]]) -> tuple[bytes, str]:
    body = b""
    for name, value, is_file in parts:
        disposition = f'form-data; name="{name}"' + ('; filename="a.jpg"' if is_file else "")
        body += f"--b\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return body + b"--b--\r\n", "multipart/form-data; boundary=b"


async def _originals(settings: ImagesSettings, owner: dict[str, Any]) -> list[str]:
    client = s3_client(settings)
    try:
        objects = await client.list_objects(settings.s3_bucket, prefix=f"originals/{owner['user']['id']}/")
        return [str(obj.object_name) for obj in objects]
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]


REFUSED = [
    ({"quality": "0"}, "quality"),
    ({"quality": "101"}, "quality"),
    ({"quality": "high"}, "quality"),
    ({"width": "16385"}, "width"),
    ({"width": "0"}, "width"),
    ({"height": "-3"}, "height"),
    ({"format": "gif"}, "format"),
    ({"fit": "crop"}, "fit"),
    ({"enlarge": "maybe"}, "enlarge"),
    ({"fit": "fill", "width": "100"}, "height"),
    ({"fit": "fill", "height": "100"}, "width"),
    # WebP's own limit, below the general 16384
    ({"width": "16384"}, "width"),
    # 16000 × 16000 = 256 MP past the 100 MP limit of inputs
    ({"width": "16000", "height": "16000", "fit": "fill", "enlarge": "true", "format": "png"}, "width"),
]


async def test_bad_options_are_422_naming_the_field_and_store_nothing(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings
) -> None:
    for fields, field in REFUSED:
        response = await _upload(http, owner, SOURCE, fields)
        assert response.status_code == 422, (fields, response.text)
        assert field in response.text, (fields, response.text)
    body, content_type = _multipart([("file", SOURCE, True), ("format", b"avif", False)])
    after = await http.post("/api/images", content=body, headers=bearer(owner) | {"Content-Type": content_type})
    assert after.status_code == 422
    assert after.json()["detail"] == "format: form fields must come before the 'file' field"
    body, content_type = _multipart([("format", b"avif", False), ("format", b"png", False), ("file", SOURCE, True)])
    twice = await http.post("/api/images", content=body, headers=bearer(owner) | {"Content-Type": content_type})
    assert (twice.status_code, twice.json()["detail"]) == (422, "format: send this field at most once")
    unknown = await _upload(http, owner, SOURCE, {"colour": "red"})
    assert unknown.status_code == 422
    assert "'colour'" in unknown.json()["detail"]
    listing = await http.get("/api/images", headers=bearer(owner))
    assert listing.json()["items"] == []
    assert await _originals(images_settings, owner) == []
    # The same options are fine where they make sense.
    assert (await _upload(http, owner, SOURCE, {"format": "avif", "width": "16384"})).status_code == 201


async def test_an_option_past_the_output_limit_of_this_image_is_refused_before_storing(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings
) -> None:
    # 16384 wide, enlarged from 400×300: 16384×12288 = 201 MP, known only from the image's header.
    response = await _upload(http, owner, SOURCE, {"format": "png", "width": "16384", "enlarge": "true"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "width"]
    assert "over the limit of 100,000,000 pixels" in response.json()["detail"][0]["msg"]
    assert await _originals(images_settings, owner) == []


async def test_an_animation_counts_every_frame_it_keeps_against_the_limit(
    http: httpx.AsyncClient, owner: dict[str, Any], images_settings: ImagesSettings
) -> None:
    # 3 frames of 24×16 enlarged to 10000×6667: 67 MP a frame, 200 MP as the WebP animation keeps them.
    response = await _upload(http, owner, animated_gif(3), {"width": "10000", "enlarge": "true"})
    assert response.status_code == 422, response.text
    assert "10000×6667×3 frames, over the limit" in response.json()["detail"][0]["msg"]
    assert await _originals(images_settings, owner) == []


async def test_convert_again_shares_the_original_and_leaves_the_first_alone(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, images_settings: ImagesSettings
) -> None:
    first = await _done(http, owner, listener, {})
    first_bytes = (await _result(http, owner, first)).content
    options = {"format": "avif", "quality": 60, "width": 200}
    response = await http.post(f"/api/images/{first['id']}/conversions", json=options, headers=bearer(owner))
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["id"] != first["id"]
    assert (second["original_name"], second["content_type"], second["size_bytes"]) == (
        first["original_name"],
        first["content_type"],
        first["size_bytes"],
    )
    assert second["options"] == options | {"height": None, "fit": "inside", "enlarge": False}
    done = await listener.wait_for_any(second["id"], ("done", "failed"))
    assert (done["status"], done["width"], done["height"], done["optimized_format"]) == ("done", 200, 150, "avif")
    avif = (await _result(http, owner, done)).content
    assert MAGIC["avif"](avif)
    assert pyvips.Image.new_from_buffer(avif, "").width == 200

    unchanged = (await http.get(f"/api/images/{first['id']}", headers=bearer(owner))).json()
    assert unchanged == first
    assert (await _result(http, owner, first)).content == first_bytes
    db = await asyncpg.connect(images_settings.database_url.replace("postgres://", "postgresql://", 1))
    try:
        keys = await db.fetch(
            "SELECT id, original_key FROM images WHERE id = ANY($1::uuid[])",
            [uuid.UUID(first["id"]), uuid.UUID(second["id"])],
        )
    finally:
        await db.close()
    assert len({row["original_key"] for row in keys}) == 1
    assert len(keys) == 2
    assert len(await _originals(images_settings, owner)) == 1
    usage = (await http.get("/api/usage", headers=bearer(owner))).json()
    # The shared original counts once; each image's results (its variants) count.
    results = sum(variant["size_bytes"] for image in (first, done) for variant in image["variants"])
    assert {"optimized", "thumbnail"} <= {variant["name"] for variant in done["variants"]}
    assert usage["used_bytes"] == first["size_bytes"] + results


async def test_convert_again_refuses_bad_options_and_other_peoples_images(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    response = await upload(http, owner, SOURCE)
    image_id = response.json()["id"]
    path = f"/api/images/{image_id}/conversions"
    for body, field in [
        ({"fit": "fill", "width": 10}, "height"),
        ({"quality": 0}, "quality"),
        ({"width": 16384}, "width"),
        ({"format": "gif"}, "format"),
        ({"colour": "red"}, "colour"),
        ({"width": 16384, "height": 16384, "fit": "fill", "enlarge": True, "format": "png"}, "width"),
    ]:
        refused = await http.post(path, json=body, headers=bearer(owner))
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["detail"][0]["loc"][-1] == field, (body, refused.text)
    stranger = await register(http)
    assert (await http.post(path, json={}, headers=bearer(stranger))).status_code == 404
    assert (
        await http.post(f"/api/images/{uuid.uuid4()}/conversions", json={}, headers=bearer(owner))
    ).status_code == 404
    listing = (await http.get("/api/images", headers=bearer(owner))).json()["items"]
    assert [image["id"] for image in listing] == [image_id]
