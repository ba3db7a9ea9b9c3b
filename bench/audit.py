"""`make audit`: Lighthouse (pinned in bench/audit/) with Debian's chromium against the whole system
started here on free ports (bench/system.py), on the sign-in page and on the gallery of an account
with 12 processed photos, mobile and desktop presets. Writes every figure to
bench/results/audit-*.json and the table between the audit markers of the README.

Settings (environment): AUDIT_PHOTOS (12), AUDIT_RUNS (1; the median run by performance is kept).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

from bench.run import register, settled
from bench.system import MIB, ROOT, WEB_DIST, System
from pixelflow.runtime.testing import free_port

AUDIT = ROOT / "bench" / "audit"
LIGHTHOUSE = AUDIT / "node_modules" / ".bin" / "lighthouse"
CORPUS = ROOT / "bench" / "corpus"
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
CHROMIUM = "/usr/bin/chromium"
# As the browser tests launch it (tests/test_browser.py): no calls out of the machine.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PRESETS = ("mobile", "desktop")
START, END = "<!-- audit:start -->", "<!-- audit:end -->"
SESSION_KEY = "pixelflow.session"  # web/src/auth/session.ts
PASSWORD = "bench password 1"  # bench.run.register's


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    signed_in: bool


TARGETS = (Target("sign-in", "/signin", False), Target("gallery, 12 photos", "/", True))


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


async def account_with_photos(url: str, count: int) -> dict[str, Any]:
    """A new account holding `count` processed photos: the bench corpus, cycled."""
    photos = sorted(CORPUS.glob("*.jpg"))
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        session = await register(client)
        token = session["access_token"]
        ids = []
        for index in range(count):
            photo = photos[index % len(photos)]
            files = {"file": (f"{index + 1:02d}-{photo.name}", photo.read_bytes(), "image/jpeg")}
            response = await client.post("/api/images", files=files, headers={"Authorization": f"Bearer {token}"})
            ids.append(response.raise_for_status().json()["id"])
        statuses = [(await settled(client, image_id, token))[0] for image_id in ids]
    if statuses != ["done"] * count:
        raise RuntimeError(f"not every photo was processed: {statuses}")
    return session


@contextmanager
def chromium(port: int) -> Any:
    """Debian's chromium with a debugging port for Lighthouse, on a profile of its own."""
    profile = Path(tempfile.mkdtemp(prefix="pixelflow-audit-"))
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/json/version", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("chromium did not open its debugging port") from None
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


async def fresh_session(url: str, session: dict[str, Any]) -> dict[str, Any]:
    """A new sign-in for each run: the app rotates its refresh token, so one run's stored tokens are
    spent for the next."""
    body = {"email": session["user"]["email"], "password": PASSWORD}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        signed_in: dict[str, Any] = (await client.post("/api/auth/login", json=body)).raise_for_status().json()
    return signed_in


async def sign_in(port: int, url: str, session: dict[str, Any] | None) -> None:
    """Stores the session (or none) as the app does after signing in: Lighthouse 12 resets the origin's
    storage between runs except localStorage."""
    stored = None
    if session:
        session = await fresh_session(url, session)
        stored = {
            "accessToken": session["access_token"],
            "refreshToken": session["refresh_token"],
            "expiresAt": int(time.time() * 1000) + session["expires_in"] * 1000,
            "user": session["user"],
        }
    async with async_playwright() as playwright:
        browser = await playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = await browser.contexts[0].new_page()
        await page.goto(f"{url}/signin")
        if stored:
            await page.evaluate("([k, v]) => localStorage.setItem(k, v)", [SESSION_KEY, json.dumps(stored)])
        else:
            await page.evaluate("(k) => localStorage.removeItem(k)", SESSION_KEY)
        await page.close()


def lighthouse(port: int, url: str, preset: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        command = [
            str(LIGHTHOUSE),
            url,
            f"--port={port}",
            "--output=json",
            f"--output-path={report.name}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--quiet",
            # Without the service worker: requests it answers would not count in the page's bytes, and
            # a first visit is what is measured anyway (Lighthouse clears it before each run).
            "--blocked-url-patterns=*/sw.js",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        subprocess.run(command, check=True, env=os.environ | {"CHROME_PATH": CHROMIUM})
        raw: dict[str, Any] = json.loads(Path(report.name).read_text())
    return raw


def figures(raw: dict[str, Any]) -> dict[str, Any]:
    audits = raw["audits"]
    scripts = [item for item in audits["resource-summary"]["details"]["items"] if item["resourceType"] == "script"]
    scores = {name: round(raw["categories"][name]["score"] * 100) for name in CATEGORIES}
    return {
        "scores": scores,
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "total_bytes": round(audits["total-byte-weight"]["numericValue"]),
        "script_bytes": round(scripts[0]["transferSize"]) if scripts else 0,
        # Lighthouse's measure of this host's CPU (its mobile throttling assumes ~1000 or more).
        "benchmark_index": round(raw["environment"]["benchmarkIndex"]),
        "warnings": raw.get("runWarnings", []),
    }


async def audit(system: System, photos: int, runs: int) -> list[dict[str, Any]]:
    session = await account_with_photos(system.url, photos)
    port = free_port()
    rows = []
    with chromium(port):
        for target in TARGETS:
            for preset in PRESETS:
                measured = []
                for _ in range(runs):
                    await sign_in(port, system.url, session if target.signed_in else None)
                    measured.append(figures(lighthouse(port, system.url + target.path, preset)))
                measured.sort(key=lambda run: run["scores"]["performance"])
                kept = measured[len(measured) // 2]
                rows.append({"page": target.name, "preset": preset, **kept})
                print(f"{target.name:20} {preset:8} {kept['scores']} LCP {kept['lcp_ms']} ms", flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| page | preset | performance | accessibility | best practices | SEO | LCP | CLS | TBT | bytes (JS) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        s = row["scores"]
        lines.append(
            f"| {row['page']} | {row['preset']} | {s['performance']} | {s['accessibility']} | {s['best-practices']} "
            f"| {s['seo']} | {row['lcp_ms'] / 1000:.1f} s | {row['cls']} | {row['tbt_ms']} ms "
            f"| {row['total_bytes'] / 1000:.0f} kB ({row['script_bytes'] / 1000:.0f} kB) |"
        )
    return "\n".join(lines)


def write_readme(rows: list[dict[str, Any]], when: str) -> None:
    text = README.read_text()
    if START not in text or END not in text:
        print(f"README has no {START} … {END} section: table not written")
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    index = min(row["benchmark_index"] for row in rows)
    body = (
        f"{START}\nMeasured {when} by `make audit` (Lighthouse 12.2.3, Debian's chromium, simulated throttling; "
        f"host load average {os.getloadavg()[0]:.1f}, Lighthouse CPU benchmark index {index}):\n\n"
    )
    README.write_text(head + body + table(rows) + f"\n{END}" + tail)


def main() -> None:
    if not (WEB_DIST / "index.html").is_file():
        raise SystemExit("build the web app first: make web")
    photos, runs = setting("AUDIT_PHOTOS", 12), setting("AUDIT_RUNS", 1)
    system = System(max_upload_bytes=64 * MIB, tag=f"audit{os.getpid()}", ready_seconds=300)
    print(f"starting the system on {system.url}", flush=True)
    system.start()
    try:
        rows = asyncio.run(audit(system, photos, runs))
    finally:
        system.stop()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"audit-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    summary = {"when": when, "photos": photos, "runs": runs, "lighthouse": "12.2.3", "rows": rows}
    target.write_text(json.dumps(summary, indent=2) + "\n")
    print(table(rows))
    print(f"wrote {target.relative_to(ROOT)}")
    write_readme(rows, when)


if __name__ == "__main__":
    main()
