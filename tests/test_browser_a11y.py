"""The web app as people use it, in Debian's chromium: axe-core finds no violation (of any impact)
in any state visited, the keyboard reaches everything (no invisible Tab stop, focus on each view's
heading, back on the upload control after an upload, on the first error after an empty submit),
the signed-in page with 12 photos does not move (CLS < 0.05 at 412 and 1350 px), and neither a
new nor a full account's pages log an error or see a failed request."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Response, Route, expect

from tests.support.browser import (
    ARTIFACTS,
    Problems,
    announced,
    axe_violations,
    controlled,
    focused,
    layout_shift,
    prepare,
    sign_in_as,
)
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG
from tests.support.users import PASSWORD, register, unique_email

pytestmark = pytest.mark.browser

PHOTOS = 12
# What the sign-in page may move over the wire, compressed (issue 16: the signed-in views and the
# Socket.IO client are not part of it).
SIGN_IN_JS_BUDGET = 120_000


@pytest.fixture
async def api(app_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as client:
        yield client


async def open_page(browser: Browser, width: int, height: int) -> tuple[BrowserContext, Page, Problems]:
    context = await browser.new_context(viewport={"width": width, "height": height})
    await prepare(context)
    page = await context.new_page()
    return context, page, Problems().watch(page)


async def no_violations(page: Page, state: str) -> None:
    violations = await axe_violations(page)
    assert violations == [], f"{state}: {violations}"


async def heading_has_focus(page: Page, name: str) -> None:
    await expect(page.get_by_role("heading", name=name, level=1)).to_be_focused()


async def wait_until_done(api: httpx.AsyncClient, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    for _ in range(600):
        response = await api.get("/api/images", params={"limit": 50}, headers=headers)
        items: list[dict[str, Any]] = response.json()["items"]
        if len(items) == count and all(item["status"] in ("done", "failed") for item in items):
            return items
        await asyncio.sleep(0.2)
    raise AssertionError(f"the {count} photos were not all optimized in time")


@pytest.fixture(scope="module")
async def full_account(app_url: str) -> dict[str, Any]:
    """An account holding 12 optimized photos."""
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as api:
        reply = await register(api, unique_email("full"))
        headers = {"Authorization": f"Bearer {reply['access_token']}"}
        for number in range(PHOTOS):
            source = ORIENTED_JPEG if number % 2 == 0 else GARDEN_PNG
            name = f"photo-{number:02d}{source.suffix}"
            files = {"file": (name, source.read_bytes(), "application/octet-stream")}
            assert (await api.post("/api/images", files=files, headers=headers)).status_code == 201
        items = await wait_until_done(api, headers, PHOTOS)
        assert {item["status"] for item in items} == {"done"}
        return reply


async def test_a_new_account_signs_up_by_keyboard_quietly(browser: Browser, app_url: str) -> None:
    context, page, problems = await open_page(browser, 1280, 900)
    scripts: list[Response] = []
    page.on("response", lambda response: scripts.append(response) if response.url.endswith(".js") else None)
    await page.goto(app_url)
    await expect(page).to_have_url(f"{app_url}/signin")
    await expect(page).to_have_title("Sign in · pixelflow")
    await heading_has_focus(page, "Sign in")

    # The sign-in page loads only its own chunk besides the shared one: gzip's size of what it ran.
    names = [httpx.URL(script.url).path.rsplit("/", 1)[-1] for script in scripts]
    assert not [name for name in names if name.startswith(("SignedIn-", "ImageDetailPage-"))], names
    compressed = sum([len(gzip.compress(await script.body(), 9)) for script in scripts])
    assert compressed <= SIGN_IN_JS_BUDGET, f"{compressed} bytes of JavaScript (gzip) on the sign-in page: {names}"
    await no_violations(page, "sign-in")

    # An empty submit by keyboard: focus goes to the first field in error, which describes it.
    await page.get_by_role("button", name="Sign in").focus()
    await page.keyboard.press("Enter")
    email_field = page.get_by_label("Email")
    await expect(email_field).to_be_focused()
    await expect(email_field).to_have_accessible_description("Enter a valid email address.")
    await no_violations(page, "sign-in with errors")

    await page.get_by_role("link", name="Create an account").focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_title("Create your account · pixelflow")
    await heading_has_focus(page, "Create your account")
    await page.keyboard.press("Tab")
    await expect(email_field).to_be_focused()
    await page.keyboard.type(unique_email("keys"))
    await page.keyboard.press("Tab")
    await page.keyboard.type("short")
    await page.keyboard.press("Enter")
    password = page.get_by_label("Password", exact=True)
    await expect(password).to_be_focused()
    await expect(password).to_have_accessible_description("Use at least 8 characters.")
    await no_violations(page, "sign-up with errors")

    await password.fill(PASSWORD)
    await page.get_by_label("Confirm password").fill(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_title("Your photos · pixelflow")
    await heading_has_focus(page, "Your photos")
    await expect(page.get_by_text("Nothing yet: your photos will appear here.")).to_be_visible()
    await expect(page.get_by_text("Live", exact=True)).to_be_visible()
    await expect(page.get_by_text("used (0%)")).to_be_visible()
    await no_violations(page, "empty gallery")

    # An empty account is no error: the list says so, nothing asks for a latest photo.
    assert "/api/images/latest" not in problems.api_paths
    problems.assert_none()

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_title("Sign in · pixelflow")
    await heading_has_focus(page, "Sign in")
    problems.assert_none()
    await context.close()


async def tab_path(page: Page, stops: int) -> list[dict[str, Any]]:
    path = []
    for _ in range(stops):
        await page.keyboard.press("Tab")
        path.append(await focused(page))
    return path


async def test_upload_by_keyboard_progress_refusal_and_detail(
    browser: Browser, app_url: str, api: httpx.AsyncClient, tmp_path: Any
) -> None:
    reply = await register(api, unique_email("upload"))
    context, page, problems = await open_page(browser, 1280, 900)
    await sign_in_as(page, app_url, reply)
    await page.goto(app_url)
    await controlled(page)
    await heading_has_focus(page, "Your photos")
    await expect(page.get_by_text("Live", exact=True)).to_be_visible()

    # The next Tab stop is the visible upload button: the file input is no stop at all.
    await page.keyboard.press("Tab")
    choose = page.get_by_role("button", name="Choose photos")
    await expect(choose).to_be_focused()
    assert await page.locator("input[type=file]").evaluate("input => input.hidden && input.multiple")

    # Hold the first upload on its way, to see (and check) the page while it is in progress.
    release = asyncio.Event()

    async def hold(route: Route) -> None:
        if route.request.method == "POST":
            await release.wait()
        await route.continue_()

    await page.route(lambda url: url.endswith("/api/images"), hold)
    notes = tmp_path / "notes.txt"
    notes.write_text("these are words, not a photo\n" * 20)
    async with page.expect_file_chooser() as chooser_info:
        await page.keyboard.press("Space")  # a button's other key (Enter: see the closing note of issue 15)
    chooser = await chooser_info.value
    assert chooser.is_multiple()
    await chooser.set_files([str(ORIENTED_JPEG), str(notes)])

    progress = page.get_by_role("progressbar", name="Uploading ladybird-exif-orientation6.jpg")
    await expect(progress).to_be_visible()
    await expect(page.get_by_text("1 of 2: ladybird-exif-orientation6.jpg")).to_be_visible()
    await no_violations(page, "upload in progress")
    release.set()

    refusal = page.get_by_role("list", name="Not uploaded").get_by_role("listitem")
    await expect(refusal).to_have_text(
        "“notes.txt” is not a photo pixelflow can read. Use JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF."
    )
    await expect(progress).to_be_hidden()
    await expect(choose).to_be_focused()
    assert await page.get_by_role("status").count() == 1
    await no_violations(page, "refusal")

    card = page.get_by_role("article", name="ladybird-exif-orientation6.jpg")
    await expect(card.locator("[data-status]")).to_have_text("Optimized", timeout=90_000)
    await page.wait_for_function("() => window.__announced.some(t => t.endsWith('is optimized.'))")
    said = await announced(page)
    assert said[:2] == [
        "Uploading ladybird-exif-orientation6.jpg, 1 of 2.",
        "Uploading notes.txt, 2 of 2.",
    ], said
    assert "1 photo uploaded, now optimizing. “notes.txt” is not a photo pixelflow can read." in " ".join(said), said
    assert "ladybird-exif-orientation6.jpg is optimized." in said, said

    # Then the new card by Tab, its link opening the detail view with the focus on its heading.
    stops = await tab_path(page, 2)
    assert stops[0]["href"] == stops[1]["href"], stops
    assert stops[0]["href"].startswith("/images/"), stops
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{app_url}{stops[1]['href']}")
    await expect(page).to_have_title("ladybird-exif-orientation6.jpg · pixelflow")
    await heading_has_focus(page, "ladybird-exif-orientation6.jpg")
    detail = page.get_by_role("article", name="ladybird-exif-orientation6.jpg")
    await expect(detail.get_by_text("480 × 300 px")).to_be_visible()
    # Downloads go through a temporary link (a button asks for it), never a blob of the file.
    download = detail.get_by_role("button", name="Download WebP")
    await expect(download).to_be_visible()
    await expect(detail.get_by_role("button", name="Download original")).to_be_visible()
    image = detail.get_by_role("img")
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=await image.element_handle())
    await no_violations(page, "detail view")
    async with page.expect_download() as downloading:
        await download.focus()
        await page.keyboard.press("Enter")
    saved = await (await downloading.value).path()
    assert saved.read_bytes()[8:12] == b"WEBP"

    # Back in the grid, focus returns to the tile the view was opened from.
    await page.go_back()
    await expect(page).to_have_title("Your photos · pixelflow")
    await expect(page.locator(f'.tile-link[href="{stops[1]["href"]}"]')).to_be_focused()
    # The 415 of the refused file is the only error the page saw.
    assert [failure.rsplit(": ", 1)[-1] for failure in problems.failed] == ["415"], problems.failed
    await context.close()


async def test_offline_is_announced(browser: Browser, app_url: str, api: httpx.AsyncClient) -> None:
    reply = await register(api, unique_email("offline"))
    context, page, problems = await open_page(browser, 1280, 900)
    await sign_in_as(page, app_url, reply)
    await page.goto(app_url)
    await expect(page.get_by_text("Live", exact=True)).to_be_visible()

    await context.set_offline(True)
    await expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    await expect(page.get_by_test_id("announcer")).to_have_text(
        "Offline: live updates paused, reconnecting when possible."
    )
    await no_violations(page, "offline")

    await context.set_offline(False)
    await expect(page.get_by_text("Live", exact=True)).to_be_visible()
    await expect(page.get_by_test_id("announcer")).to_have_text("Live updates are back on.")
    problems.assert_none()
    await context.close()


@pytest.mark.parametrize(("width", "height"), [(412, 915), (1350, 940)])
async def test_a_full_account_page_is_steady_and_quiet(
    browser: Browser, app_url: str, full_account: dict[str, Any], width: int, height: int
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, problems = await open_page(browser, width, height)
    await sign_in_as(page, app_url, full_account)
    await page.goto(app_url)
    await heading_has_focus(page, "Your photos")
    tiles = page.locator(".tile img")
    await expect(tiles).to_have_count(PHOTOS)
    # Pictures load lazily: every one on the first screen has arrived (the others wait for a scroll).
    await page.wait_for_function(
        """() => {
            const shown = [...document.querySelectorAll(".tile img, .latest img")]
                .filter(img => img.getBoundingClientRect().top < innerHeight);
            return shown.length > 0 && shown.every(img => img.complete && img.naturalWidth > 0);
        }"""
    )
    shift = await layout_shift(page)
    assert shift < 0.05, f"CLS {shift:.3f} at {width} px"
    await no_violations(page, f"full gallery at {width} px")
    await page.screenshot(path=str(ARTIFACTS / f"gallery-{width}.png"), full_page=True)
    assert "/api/images/latest" not in problems.api_paths

    # Every photo is one Tab stop, after the upload button and the latest card's link, each with
    # a visible focus ring; nothing invisible takes focus on the way.
    stops = await tab_path(page, 2 + PHOTOS)
    assert stops[0]["text"] == "Choose photos"
    tiles_reached = [stop for stop in stops[2:] if stop["href"] and stop["href"].startswith("/images/")]
    assert len({stop["href"] for stop in tiles_reached}) == PHOTOS, stops
    for stop in stops:
        assert stop["width"] > 1, stop
        assert stop["height"] > 1, stop
        assert stop["type"] != "file", stop
    for stop in tiles_reached:
        assert stop["outline"] != "none", stop
        assert stop["outlineWidth"] >= 2, stop

    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{app_url}{stops[-1]['href']}")
    await expect(page.get_by_role("button", name="Download WebP")).to_be_visible()
    await heading_has_focus(page, "photo-00.jpg")
    await no_violations(page, f"detail view at {width} px")
    await page.screenshot(path=str(ARTIFACTS / f"detail-{width}.png"), full_page=True)

    # Its "All photos" link, by keyboard, leads back to the grid with focus on the same tile.
    await page.keyboard.press("Shift+Tab")
    await expect(page.get_by_role("link", name="← All photos")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page).to_have_title("Your photos · pixelflow")
    await expect(page.locator(f'.tile-link[href="{stops[-1]["href"]}"]')).to_be_focused()
    problems.assert_none()
    await context.close()


async def test_dropping_several_photos_uploads_each(browser: Browser, app_url: str, api: httpx.AsyncClient) -> None:
    reply = await register(api, unique_email("drop"))
    context, page, problems = await open_page(browser, 1280, 900)
    await sign_in_as(page, app_url, reply)
    await page.goto(app_url)
    await expect(page.get_by_text("Nothing yet: your photos will appear here.")).to_be_visible()

    # Two PNGs drawn in the page, dropped together as a file manager would.
    await page.evaluate(
        """async () => {
            const draw = (colour) => new Promise(done => {
                const canvas = document.createElement("canvas");
                canvas.width = 64; canvas.height = 48;
                const context = canvas.getContext("2d");
                context.fillStyle = colour; context.fillRect(0, 0, 64, 48);
                canvas.toBlob(done, "image/png");
            });
            const transfer = new DataTransfer();
            transfer.items.add(new File([await draw("#c33")], "red.png", { type: "image/png" }));
            transfer.items.add(new File([await draw("#33c")], "blue.png", { type: "image/png" }));
            const zone = document.querySelector(".dropzone");
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }"""
    )
    uploads = page.get_by_role("region", name="Your uploads")
    for name in ("red.png", "blue.png"):
        tile = uploads.get_by_role("link", name=name)
        await expect(tile.locator("[data-status]")).to_have_text("Optimized", timeout=90_000)
    # Focus was nowhere (a drop moves none): it comes back to the upload control.
    await expect(page.get_by_role("button", name="Choose photos")).to_be_focused()
    await page.wait_for_function("() => window.__announced.some(t => t.includes('2 photos uploaded'))")
    await no_violations(page, "gallery after a drop")
    problems.assert_none()
    await context.close()
