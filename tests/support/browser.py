"""What the browser tests share: Debian's chromium, axe-core injected into every page, a recorder
of everything a page reports as wrong, and a layout-shift (CLS) observer."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, Request, Response

ROOT = Path(__file__).parents[2]
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

# Summed like CLS: every layout shift not caused by input, from the page's first paint on. An init
# script runs before the app and is not subject to the page's CSP.
CLS_OBSERVER = """
window.__layoutShift = 0;
// Everything the app's live region says, in order (a later message replaces an earlier one).
window.__announced = [];
new MutationObserver(() => {
  const region = document.querySelector("[data-testid=announcer]");
  const text = region ? region.textContent.trim() : "";
  if (text && window.__announced[window.__announced.length - 1] !== text) window.__announced.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""


async def prepare(context: BrowserContext) -> None:
    await context.add_init_script(path=str(AXE))
    await context.add_init_script(script=CLS_OBSERVER)


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation on the page, whatever its impact."""
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")) }))"""
    )
    return found


async def layout_shift(page: Page) -> float:
    # Two frames, so a shift caused by the last change is recorded before reading the sum.
    value: float = await page.evaluate(
        """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
            () => done(window.__layoutShift))))"""
    )
    return value


async def announced(page: Page) -> list[str]:
    said: list[str] = await page.evaluate("() => window.__announced")
    return said


@dataclass
class Problems:
    """Console errors, uncaught errors, failed requests and 4xx/5xx answers of one page, and
    every API path it asked for."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    api_paths: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Problems:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)
        page.on("request", self._on_request)
        return self

    def _on_failed(self, request: Request) -> None:
        self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.request.method} {response.url}: {response.status}")

    def _on_request(self, request: Request) -> None:
        path = httpx.URL(request.url).path
        if path.startswith("/api/"):
            self.api_paths.append(path)

    def assert_none(self) -> None:
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed


async def sign_in_as(page: Page, app_url: str, reply: dict[str, Any]) -> None:
    """Stores a session as the app does after signing in (skips the form where it is not the
    subject), before the app's first script runs: no page is loaded only to be left."""
    session = {
        "accessToken": reply["access_token"],
        "refreshToken": reply["refresh_token"],
        "expiresAt": int(time.time() * 1000) + reply["expires_in"] * 1000,
        "user": reply["user"],
    }
    script = f"""
        if (location.origin === {json.dumps(app_url)} && !sessionStorage.getItem("pixelflow.test.signed-in")) {{
            sessionStorage.setItem("pixelflow.test.signed-in", "1");
            localStorage.setItem("pixelflow.session", {json.dumps(json.dumps(session))});
        }}
    """
    await page.add_init_script(script=script)


async def focused(page: Page) -> dict[str, Any]:
    """What has focus: its tag, type, accessible-ish name, size and outline."""
    described: dict[str, Any] = await page.evaluate(
        """() => {
            const el = document.activeElement;
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            return { tag: el.tagName.toLowerCase(), type: el.getAttribute("type"),
                     text: (el.getAttribute("aria-label") || el.textContent || "").trim(),
                     href: el.getAttribute("href"), width: box.width, height: box.height,
                     outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) };
        }"""
    )
    return described


async def controlled(page: Page) -> None:
    """Waits until the service worker controls the page: its take-over refetches what is on screen
    (web/src/pwa/register.ts), and a file chooser asked for meanwhile was seen not to open."""
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
