"""Pictures in the browser (issue 15): the grid fills its squares from thumbnails (small widths)
over the placeholder, the latest card and the detail view use `<img srcset sizes loading=lazy>`
over temporary links (no `blob:` anywhere), and a copied link opens in a fresh browser with no
session; the first screen of 20 photos moves a small part of what full-size files would."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
import pyvips
from playwright.async_api import Browser, Response, expect

from tests.support.browser import Problems, axe_violations, prepare, sign_in_as
from tests.support.formats import jpeg
from tests.support.users import register, unique_email

pytestmark = pytest.mark.browser

PHOTOS = 20


@pytest.fixture(scope="module")
async def gallery(app_url: str) -> dict[str, Any]:
    """An account with 20 photos of 1600×1000, all optimized (every variant stored). Noise, not a
    gradient: its bytes grow with its pixels, as a photograph's do."""
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as api:
        reply = await register(api, unique_email("pictures"))
        headers = {"Authorization": f"Bearer {reply['access_token']}"}
        noise = pyvips.Image.gaussnoise(1600, 1000, sigma=30, mean=128)
        photo = jpeg(noise.bandjoin([noise.rot180(), noise.fliphor()]).cast("uchar"), Q=85)
        for number in range(PHOTOS):
            files = {"file": (f"photo-{number:02d}.jpg", photo, "image/jpeg")}
            assert (await api.post("/api/images", files=files, headers=headers)).status_code == 201
        for _ in range(900):
            items: list[dict[str, Any]] = (await api.get("/api/images", params={"limit": 50}, headers=headers)).json()[
                "items"
            ]
            if len(items) == PHOTOS and all(item["status"] == "done" for item in items):
                return {"reply": reply, "items": items}
            await asyncio.sleep(0.2)
        raise AssertionError("the photos were not optimized in time")


async def test_the_grid_and_card_draw_from_variants_over_links(
    browser: Browser, app_url: str, gallery: dict[str, Any]
) -> None:
    context = await browser.new_context(viewport={"width": 1350, "height": 900})
    await prepare(context)
    page = await context.new_page()
    problems = Problems().watch(page)
    images: list[Response] = []
    page.on("response", lambda response: images.append(response) if "/api/links/" in response.url else None)
    await sign_in_as(page, app_url, gallery["reply"])
    await page.goto(app_url)

    tile = page.locator(".tile-media img").first
    await expect(tile).to_have_attribute("loading", "lazy")
    srcset = await tile.get_attribute("srcset")
    assert srcset is not None
    assert "/api/links/" in srcset
    assert "thumbnail" in srcset
    assert " 128w" in srcset
    assert "optimized" not in srcset  # a grid square never asks for the full size
    # The placeholder is painted as the box's background before any byte of the picture.
    background = await page.locator(".tile-media .variant-picture").first.evaluate(
        "element => getComputedStyle(element).backgroundImage"
    )
    assert background.startswith('url("data:image/png;base64,')

    card = page.locator(".latest-media img")
    card_srcset = await card.get_attribute("srcset")
    assert card_srcset is not None
    assert "w320" in card_srcset
    assert "optimized" in card_srcset
    assert "thumbnail" not in card_srcset
    assert await card.get_attribute("sizes")
    await expect(card).to_have_js_property("complete", True)
    assert await card.evaluate("img => img.naturalWidth") > 0
    assert not await page.evaluate("() => [...document.images].some(img => img.src.startsWith('blob:'))")

    await page.wait_for_load_state("networkidle")
    picture_bytes = 0
    for response in images:
        assert response.status == 200, response.url
        assert response.headers["referrer-policy"] == "no-referrer"
        picture_bytes += int(response.headers.get("content-length", "0"))
    full_size = sum(item["optimized_size_bytes"] for item in gallery["items"][:PHOTOS])
    # Today's first screen fetched every full-size WebP; now each square moves a small width.
    assert picture_bytes <= 0.1 * full_size, (picture_bytes, full_size)
    assert await axe_violations(page) == []
    problems.assert_none()
    await context.close()


async def test_a_copied_link_opens_in_a_fresh_browser_without_a_session(
    browser: Browser, app_url: str, gallery: dict[str, Any]
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await prepare(context)
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page = await context.new_page()
    await sign_in_as(page, app_url, gallery["reply"])
    first = gallery["items"][0]
    await page.goto(f"{app_url}/images/{first['id']}")
    detail = page.locator("article.detail img")
    await expect(detail).to_have_attribute("srcset", re.compile(r"/optimized\?[^ ]* \d+w"))
    await page.get_by_label("Valid for").select_option(label="1 day")
    await page.get_by_role("button", name="Copy link").click()
    await expect(page.locator(".link-copied")).to_contain_text("Link copied")
    copied = await page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(f"{app_url}/api/links/{first['id']}/optimized?")
    assert await axe_violations(page) == []
    await context.close()

    stranger = await browser.new_context()
    fresh = await stranger.new_page()
    response = await fresh.goto(copied)
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert await fresh.evaluate("() => localStorage.length") == 0  # no session in this browser
    tampered = copied.replace(f"/{first['id']}/", f"/{gallery['items'][1]['id']}/")
    refused = await fresh.goto(tampered)
    assert refused is not None
    assert refused.status == 404
    await stranger.close()
