"""A person's data in the web app, in Debian's chromium (issue 18): deleting a photo (asked first; the
grid and another tab drop it), the account page (its own title, focus on its heading), changing the
password (then signing in with the new one), the sessions list with "this device" marked and "Sign
out" per session, signing out here only or everywhere, and deleting the account (then the email can
register again), after downloading the export. axe-core finds no violation in any state visited."""

from __future__ import annotations

import asyncio
import json
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support.browser import Problems, axe_violations, prepare, sign_in_as
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG
from tests.support.users import PASSWORD, bearer, register, unique_email

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase"
OTHER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"


@pytest.fixture
async def api(app_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as client:
        yield client


async def new_context(browser: Browser) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await prepare(context)
    return context


async def no_violations(page: Page, state: str) -> None:
    violations = await axe_violations(page)
    assert violations == [], f"{state}: {violations}"


async def heading_has_focus(page: Page, name: str) -> None:
    await expect(page.get_by_role("heading", name=name, level=1)).to_be_focused()


async def upload_done(api: httpx.AsyncClient, headers: dict[str, str], *sources: Any) -> list[dict[str, Any]]:
    for source in sources:
        files = {"file": (source.name, source.read_bytes(), "application/octet-stream")}
        assert (await api.post("/api/images", files=files, headers=headers)).status_code == 201
    for _ in range(600):
        items: list[dict[str, Any]] = (await api.get("/api/images", headers=headers)).json()["items"]
        if len(items) == len(sources) and all(item["status"] == "done" for item in items):
            return items
        await asyncio.sleep(0.2)
    raise AssertionError("the photos were not optimized in time")


async def sign_in_elsewhere(api: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    """A session of another device: signed in through the API with its own User-Agent."""
    response = await api.post(
        "/api/auth/login", json={"email": email, "password": password}, headers={"User-Agent": OTHER_AGENT}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def refresh_status(api: httpx.AsyncClient, session: dict[str, Any]) -> int:
    response = await api.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})
    if response.status_code == 200:
        session.update(response.json())
    return response.status_code


async def eventually_refused(api: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    for _ in range(100):
        if (await api.get("/api/usage", headers=headers)).status_code == 401:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_deleting_a_photo_asks_first_and_every_tab_drops_it(
    browser: Browser, app_url: str, api: httpx.AsyncClient
) -> None:
    reply = await register(api, unique_email("delete"))
    headers = bearer(reply)
    items = await upload_done(api, headers, ORIENTED_JPEG, GARDEN_PNG)
    doomed = next(item for item in items if item["original_name"] == GARDEN_PNG.name)
    context = await new_context(browser)
    page = await context.new_page()
    problems = Problems().watch(page)
    await sign_in_as(page, app_url, reply)
    # A second tab of the same browser, on the grid: the deletion reaches it as an event.
    other = await context.new_page()
    other_problems = Problems().watch(other)
    await sign_in_as(other, app_url, reply)
    await other.goto(app_url)
    other_uploads = other.get_by_role("region", name="Your uploads")
    await expect(other_uploads.get_by_role("link")).to_have_count(2)
    await expect(other.get_by_text("Live", exact=True)).to_be_visible()

    await page.goto(f"{app_url}/images/{doomed['id']}")
    await heading_has_focus(page, GARDEN_PNG.name)
    await page.get_by_role("button", name="Delete", exact=True).click()
    question = page.get_by_role("group", name=f"Delete “{GARDEN_PNG.name}” for good?", exact=False)
    keep = question.get_by_role("button", name="Keep it")
    await expect(keep).to_be_focused()
    await no_violations(page, "delete asked")
    # Escape keeps it, focus back on Delete.
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("button", name="Delete", exact=True)).to_be_focused()
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="Delete for good").click()

    await expect(page).to_have_url(f"{app_url}/")
    await heading_has_focus(page, "Your photos")
    await expect(page.get_by_test_id("announcer")).to_have_text(f"{GARDEN_PNG.name} deleted.")
    uploads = page.get_by_role("region", name="Your uploads")
    await expect(uploads.get_by_role("link")).to_have_count(1)
    await expect(page.get_by_role("article", name=ORIENTED_JPEG.name)).to_be_visible()
    await no_violations(page, "gallery after a delete")

    await expect(other_uploads.get_by_role("link")).to_have_count(1)
    await expect(other_uploads.get_by_role("link", name=GARDEN_PNG.name)).to_have_count(0)
    await expect(other.get_by_test_id("announcer")).to_have_text(f"{GARDEN_PNG.name} was deleted.")
    await no_violations(other, "another tab after a delete")

    assert (await api.get(f"/api/images/{doomed['id']}", headers=headers)).status_code == 404
    problems.assert_none()
    other_problems.assert_none()
    await context.close()


async def test_password_change_sessions_and_sign_out(browser: Browser, app_url: str, api: httpx.AsyncClient) -> None:
    email = unique_email("password")
    reply = await register(api, email)
    elsewhere = await sign_in_elsewhere(api, email, PASSWORD)
    context = await new_context(browser)
    page = await context.new_page()
    await sign_in_as(page, app_url, reply)
    await page.goto(app_url)
    await heading_has_focus(page, "Your photos")

    await page.get_by_role("link", name="Account").click()
    await expect(page).to_have_url(f"{app_url}/account")
    await expect(page).to_have_title("Your account · pixelflow")
    await heading_has_focus(page, "Your account")

    # Both sessions, this one marked; the other signed out from here.
    sessions = page.get_by_role("list", name="Signed-in sessions").get_by_role("listitem")
    await expect(sessions).to_have_count(2)
    await expect(sessions.filter(has_text="This device")).to_have_count(1)
    other_row = sessions.filter(has_text="Firefox on Windows")
    await expect(other_row).not_to_contain_text("This device")
    await no_violations(page, "account page")
    await other_row.get_by_role("button", name="Sign out").click()
    await expect(sessions).to_have_count(1)
    await expect(page.get_by_role("heading", name="Signed-in sessions")).to_be_focused()
    assert await refresh_status(api, elsewhere) == 401

    # A wrong current password: said at its field, which gets focus.
    third = await sign_in_elsewhere(api, email, PASSWORD)
    current = page.get_by_label("Current password")
    await current.fill("not my password")
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Change password").click()
    await expect(current).to_have_accessible_description("That is not your current password.")
    await expect(current).to_be_focused()
    await no_violations(page, "password change refused")

    await current.fill(PASSWORD)
    await page.get_by_role("button", name="Change password").click()
    await expect(page.get_by_text("Your password was changed.")).to_be_visible()
    await expect(current).to_have_value("")
    # Every other session ended; this one stays.
    assert await refresh_status(api, third) == 401
    await expect(sessions).to_have_count(1)
    await no_violations(page, "password changed")

    # "Sign out" in the header ends this session only: another device stays signed in.
    fourth = await sign_in_elsewhere(api, email, NEW_PASSWORD)
    await page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    await heading_has_focus(page, "Sign in")
    assert (await api.post("/api/auth/login", json={"email": email, "password": PASSWORD})).status_code == 401
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await heading_has_focus(page, "Your photos")
    assert await refresh_status(api, fourth) == 200

    # "Sign out everywhere" ends that one too.
    await page.get_by_role("link", name="Account").click()
    await heading_has_focus(page, "Your account")
    await expect(sessions).to_have_count(2)
    await page.get_by_role("button", name="Sign out everywhere").click()
    await heading_has_focus(page, "Sign in")
    assert await refresh_status(api, fourth) == 401
    await context.close()


async def test_deleting_the_account_frees_the_email(browser: Browser, app_url: str, api: httpx.AsyncClient) -> None:
    email = unique_email("closing")
    reply = await register(api, email)
    await upload_done(api, bearer(reply), GARDEN_PNG)
    context = await new_context(browser)
    page = await context.new_page()
    await sign_in_as(page, app_url, reply)
    await page.goto(f"{app_url}/account")
    await heading_has_focus(page, "Your account")

    # First the photos, as the form suggests: a ZIP through the browser's own download.
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download all my photos (ZIP)").click()
    download = await downloading.value
    assert download.suggested_filename.startswith("pixelflow-export-")
    with zipfile.ZipFile(await download.path()) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("images.json"))
    assert [image["original_name"] for image in manifest["images"]] == [GARDEN_PNG.name]
    assert any(name.startswith("originals/") for name in names), names
    await expect(page.get_by_test_id("announcer")).to_contain_text("Your archive is ready")
    await no_violations(page, "export downloaded")

    form = page.get_by_role("form", name="Delete your account")
    await expect(form).to_contain_text("Every photo you uploaded")
    await expect(form).to_contain_text("signed out on every device")
    await expect(form).to_contain_text("cannot be undone")
    submit = form.get_by_role("button", name="Delete my account and photos")
    password = form.get_by_label("Your password, to confirm")
    await submit.click()
    await expect(password).to_be_focused()
    await expect(password).to_have_accessible_description("Enter your password to delete the account.")
    await password.fill("not my password")
    await submit.click()
    await expect(password).to_have_accessible_description("That is not your current password.")
    await no_violations(page, "account deletion refused")
    assert (await api.get("/api/usage", headers=bearer(reply))).status_code == 200

    await password.fill(PASSWORD)
    await submit.click()
    await heading_has_focus(page, "Sign in")
    await expect(page.get_by_test_id("announcer")).to_have_text("Your account and every photo in it were deleted.")
    await no_violations(page, "signed out after the account's deletion")
    # The access token stops passing once the edge's short ended-session cache has expired.
    assert await eventually_refused(api, bearer(reply))
    assert await page.evaluate("() => localStorage.getItem('pixelflow.session')") is None

    # The email is free again: a new, empty account.
    again = await register(api, email)
    assert (await api.get("/api/images", headers=bearer(again))).json()["items"] == []
    await context.close()
