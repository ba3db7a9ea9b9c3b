"""The installable app in a real browser (Debian's chromium) against the running system: the
manifest, the service worker, the Web Share Target (a multipart POST to /share-target ends as an
upload with the signed-in session) and offline viewing of what was already loaded, which sign-out
forgets."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from starlette.types import ASGIApp, Receive, Scope, Send

from edge.app import create_app
from pixelflow.runtime.testing import RunningService
from tests.support.browser_fixtures import web_app_settings
from tests.support.http import serve_http
from tests.support.images import ORIENTED_JPEG
from tests.support.services import WorkerProcess
from tests.support.users import bearer, client_address, register
from tests.test_browser import WEB_DIST

pytestmark = pytest.mark.browser

SESSION_KEY = "pixelflow.session"  # web/src/auth/session.ts


@dataclass
class Edge:
    """The edge on loopback, recording every path that reaches it (to prove what the worker answered)."""

    url: str
    seen: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
async def edge(
    auth_server: RunningService, images_server: RunningService, worker: WorkerProcess, redis_prefix: str
) -> AsyncIterator[Edge]:
    assert (WEB_DIST / "sw.js").exists(), "build the web app first: make web"
    app = create_app(web_app_settings(auth_server, images_server, redis_prefix))
    seen: list[str] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(f"{scope['method']} {scope['path']}")
        await app(scope, receive, send)

    wrapped: ASGIApp = recording
    async with serve_http(wrapped) as url:
        yield Edge(url, seen)


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    opened = await browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    yield opened
    await opened.close()


@pytest.fixture
async def api(edge: Edge) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=edge.url, headers={"X-Forwarded-For": client_address()}, timeout=30) as c:
        yield c


async def signed_in_page(context: BrowserContext, edge: Edge, session: dict[str, Any]) -> Page:
    """A page of the app with `session` signed in, as the app stores it after signing up, and the
    service worker installed and in control."""
    stored = {
        "accessToken": session["access_token"],
        "refreshToken": session["refresh_token"],
        "user": session["user"],
    }
    # Only into an empty storage: the app renews (rotates) its tokens, and putting the first ones back
    # on a reload would hand it a spent refresh token, which signs it out.
    await context.add_init_script(
        f"""if (!localStorage.getItem({json.dumps(SESSION_KEY)})) localStorage.setItem({json.dumps(SESSION_KEY)},
            JSON.stringify({{ ...{json.dumps(stored)}, expiresAt: Date.now() + {session["expires_in"]} * 1000 }}))"""
    )
    page = await context.new_page()
    await page.goto(edge.url)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page


async def wait_for_status(api: httpx.AsyncClient, session: dict[str, Any], name: str) -> dict[str, Any]:
    """The user's image called `name` once processed (live events are the app's business here)."""
    for _ in range(600):
        listed = (await api.get("/api/images", headers=bearer(session))).json()["items"]
        found = [item for item in listed if item["original_name"] == name]
        if found and found[0]["status"] in {"done", "failed"}:
            return dict(found[0])
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} was not processed")


async def cache_names(page: Page) -> list[str]:
    names: list[str] = await page.evaluate("caches.keys()")
    return names


async def test_the_app_is_installable(api: httpx.AsyncClient, context: BrowserContext, edge: Edge) -> None:
    manifest = (await api.get("/manifest.webmanifest")).json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        served = await api.get(icon["src"])
        assert served.status_code == 200
        assert served.headers["content-type"] == icon["type"]
    assert manifest["share_target"]["action"] == "/share-target"
    assert manifest["share_target"]["enctype"] == "multipart/form-data"
    worker_script = await api.get("/sw.js")
    assert worker_script.headers["cache-control"] == "no-cache"
    assert 'const BUILD = "dev"' not in worker_script.text

    page = await context.new_page()
    await page.goto(edge.url)
    linked = await page.evaluate("document.querySelector('link[rel=manifest]').href")
    assert linked == f"{edge.url}/manifest.webmanifest"
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    shells = [name for name in await cache_names(page) if name.startswith("pixelflow-shell-")]
    assert len(shells) == 1
    precached = await page.evaluate(
        f"caches.open({json.dumps(shells[0])}).then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
    )
    assert "/" in precached
    assert any(path.startswith("/assets/") and path.endswith(".js") for path in precached)


async def test_a_shared_photo_is_uploaded_with_the_session(
    api: httpx.AsyncClient, context: BrowserContext, edge: Edge
) -> None:
    session = await register(api)
    page = await signed_in_page(context, edge, session)
    photo = base64.b64encode(ORIENTED_JPEG.read_bytes()).decode()
    posts_before = edge.seen.count("POST /share-target")

    # What the system's share sheet does: a multipart POST to the manifest's action, files under `photos`.
    shared = await page.evaluate(
        """async (photo) => {
            const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
            const form = new FormData();
            form.append("photos", new File([bytes], "shared-ladybird.jpg", { type: "image/jpeg" }));
            form.append("photos", new File([], "empty.jpg", { type: "image/jpeg" }));
            const response = await fetch("/share-target", { method: "POST", body: form });
            return { url: response.url, redirected: response.redirected, status: response.status };
        }""",
        photo,
    )
    assert shared == {"url": f"{edge.url}/?shared=1", "redirected": True, "status": 200}
    assert edge.seen.count("POST /share-target") == posts_before  # the worker answered, not the edge

    await page.goto(shared["url"])
    image = await wait_for_status(api, session, "shared-ladybird.jpg")
    assert image["status"] == "done"
    assert image["size_bytes"] == ORIENTED_JPEG.stat().st_size
    await expect(page.get_by_text("shared-ladybird.jpg").first).to_be_visible(timeout=30_000)
    # Uploaded once, the file leaves the worker's keeping, and the share's address is gone.
    await page.wait_for_function("caches.open('pixelflow-shared').then(c => c.keys()).then(k => k.length === 0)")
    await expect(page).to_have_url(f"{edge.url}/")
    listed = (await api.get("/api/images", headers=bearer(session))).json()["items"]
    assert [item["original_name"] for item in listed] == ["shared-ladybird.jpg"]


async def test_a_share_while_signed_out_waits_for_sign_in(
    api: httpx.AsyncClient, context: BrowserContext, edge: Edge
) -> None:
    page = await context.new_page()
    await page.goto(edge.url)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
    photo = base64.b64encode(ORIENTED_JPEG.read_bytes()).decode()
    await page.evaluate(
        """async (photo) => {
            const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
            const form = new FormData();
            form.append("photos", new File([bytes], "later.jpg", { type: "image/jpeg" }));
            await fetch("/share-target", { method: "POST", body: form });
        }""",
        photo,
    )
    await page.wait_for_function("caches.open('pixelflow-shared').then(c => c.keys()).then(k => k.length === 1)")

    session = await register(api)
    await signed_in_page(context, edge, session)
    image = await wait_for_status(api, session, "later.jpg")
    assert image["status"] == "done"


async def test_loaded_photos_show_offline_and_sign_out_forgets_them(
    api: httpx.AsyncClient, context: BrowserContext, edge: Edge
) -> None:
    session, other = await register(api), await register(api)
    with ORIENTED_JPEG.open("rb") as photo:
        uploaded = await api.post(
            "/api/images", headers=bearer(session), files={"file": ("offline-ladybird.jpg", photo, "image/jpeg")}
        )
    assert uploaded.status_code == 201, uploaded.text
    assert (await wait_for_status(api, session, "offline-ladybird.jpg"))["status"] == "done"

    page = await signed_in_page(context, edge, session)
    # The photo is on screen (in the list, and as the latest upload), over temporary links.
    loaded = page.locator(".latest-media img")
    await expect(loaded).to_be_visible(timeout=30_000)
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=await loaded.element_handle())
    # The worker keeps this user's list and photo as they pass through it (after it took control).
    user_cache = f"pixelflow-user-{session['user']['id']}"
    await page.wait_for_function(
        """(name) => caches.open(name).then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))
            .then(paths => paths.includes('/api/images') && paths.includes('/api/usage'))""",
        arg=user_cache,
    )
    # Every answer in flight has been kept (a put may still be writing when a response arrives).
    await page.wait_for_load_state("networkidle")

    await context.set_offline(True)
    requests_before = len(edge.seen)
    await page.reload()
    await expect(page.get_by_text("offline-ladybird.jpg").first).to_be_visible()
    await expect(loaded).to_be_visible()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=await loaded.element_handle())
    # The links were remembered, and the browser's cache holds what they fetched (`private`, until
    # they expire): the same picture, with no request reaching the edge.
    width, height = await loaded.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width / height == pytest.approx(480 / 300, rel=0.01)
    assert [path for path in edge.seen[requests_before:] if not path.startswith("GET /socket.io")] == []

    # Kept answers go back only to requests of the same user: another account's token (or none) gets
    # the network's failure, never this account's list.
    kept_list = await page.evaluate(
        """(name) => caches.open(name).then(c => c.keys())
            .then(k => k.map(r => r.url).find(u => new URL(u).pathname === '/api/images'))""",
        user_cache,
    )
    answers = await page.evaluate(
        """async ([url, tokens]) => Promise.all(tokens.map(async (token) => {
            try {
                const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
                return (await response.json()).items.map((item) => item.original_name);
            } catch {
                return null;
            }
        }))""",
        [kept_list, [session["access_token"], other["access_token"], None]],
    )
    assert answers == [["offline-ladybird.jpg"], None, None]

    # Signing out forgets what was kept of the account (the worker's shell stays: it holds no data).
    await context.set_offline(False)
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_function("caches.keys().then(names => !names.some(n => n.startsWith('pixelflow-user-')))")
    assert any(name.startswith("pixelflow-shell-") for name in await cache_names(page))
