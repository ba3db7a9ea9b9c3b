"""The web app in a real browser (Debian's chromium through Playwright) against the running system:
sign up → upload through the file input → live `done` without a reload → the image renders →
reload keeps the session → sign out; a wrong password shows its error; axe finds nothing serious."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support.images import ORIENTED_JPEG
from tests.support.users import PASSWORD, unique_email

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[1]
WEB_DIST = ROOT / "web" / "dist"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    # An init script is not subject to the page's CSP, so the app runs under its real policy.
    opened = await browser.new_context(viewport={"width": 1280, "height": 900})
    await opened.add_init_script(path=str(AXE))
    yield opened
    await opened.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    opened = await context.new_page()
    errors: list[str] = []
    opened.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} @ {message.location.get('url')}") if message.type == "error" else None
        ),
    )
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    # A blocked script, style or socket (CSP: "Refused to ...") or an uncaught error shows here;
    # Chromium also logs every 4xx answer (404 latest for a new user, 401 wrong password): expected.
    assert [e for e in errors if not e.startswith("Failed to load resource: the server responded")] == []


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({ id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(" ")) }))"""
    )
    return found


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def test_sign_up_upload_and_watch_it_finish(page: Page, app_url: str) -> None:
    await page.goto(app_url)
    await expect(page).to_have_url(f"{app_url}/signin")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert await serious_violations(page) == []
    await screenshot(page, "signin")

    await page.get_by_role("link", name="Create an account").click()
    await expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    email = unique_email("browser")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Confirm password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()

    await expect(page.get_by_role("heading", name="Upload photos")).to_be_visible()
    await expect(page.get_by_text("Live", exact=True)).to_be_visible()
    await page.locator("#file-input").set_input_files(str(ORIENTED_JPEG))
    card = page.get_by_role("article", name="ladybird-exif-orientation6.jpg")
    await expect(card.locator("[data-status]")).to_have_text("Optimized", timeout=90_000)
    image = card.get_by_role("img")
    await expect(image).to_be_visible()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=await image.element_handle())
    # Upright (EXIF orientation applied), over a temporary link the browser chose from the srcset
    # (its natural size is the slot's: a width descriptor sets the density).
    source, width, height = await image.evaluate("img => [img.currentSrc, img.naturalWidth, img.naturalHeight]")
    assert "/api/links/" in source
    assert width / height == pytest.approx(480 / 300, rel=0.01)
    await expect(card.get_by_text("smaller")).to_be_visible()
    assert await serious_violations(page) == []
    await screenshot(page, "main")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "main-phone")

    await page.reload()
    await expect(page.get_by_role("heading", name="Upload photos")).to_be_visible()
    await expect(page.get_by_text(email)).to_be_visible()
    reloaded = page.get_by_role("article", name="ladybird-exif-orientation6.jpg")
    await expect(reloaded.locator("[data-status]")).to_have_text("Optimized")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{app_url}/signin")
    assert await page.evaluate("localStorage.getItem('pixelflow.session')") is None
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


async def test_a_wrong_password_is_shown(page: Page, app_url: str) -> None:
    await page.goto(f"{app_url}/signin")
    await page.get_by_label("Email").fill(unique_email("nobody"))
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    assert await serious_violations(page) == []
    await screenshot(page, "signin-error")
