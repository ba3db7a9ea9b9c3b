"""`make bench`, part 5: hostile clients against the edge, each figure next to the same one without them.

- memory: the edge's peak RSS growth while a 200 MiB `text/plain` body is sent to a JSON route;
- CPU: the edge's CPU seconds per hostile upload (a bad token, thousands of empty parts, a large
  preamble, large fields before the file), each sending megabytes until it is refused;
- latency: `/` and an API read at a fixed rate, quiet, then while hostile uploads keep arriving.

`python -m bench.hostile` runs this part alone against a system of its own. Loopback only; every
body is bounded (BENCH_HOSTILE_MIB) and so is the time (BENCH_HOSTILE_SECONDS per phase); hostile
uploads arrive at BENCH_HOSTILE_ATTACK_RATE a second, the reads at BENCH_HOSTILE_RATE each.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.meters import CpuMeter, RssSampler
from bench.rawhttp import FILE_PART_HEAD, MIB, chunked, form_headers, raw_request, repeated
from bench.system import ROOT, System

BENCH = ROOT / "bench"
# Each hostile kind: its body (given the body size), and whether it carries the real token.
HostileBody = Callable[[int], Iterator[bytes]]
KINDS: dict[str, tuple[HostileBody, bool]] = {
    "bad token": (lambda size: repeated(b"\xff", size), False),
    "empty parts": (lambda size: repeated(b"--b\r\n\r\n\r\n", size), True),
    "large preamble": (lambda size: repeated(b"\r\n", size), True),
    "fields before the file": (
        lambda size: iter([b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n', *repeated(b"x", size)]),
        True,
    ),
}


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


async def hostile_upload(port: int, kind: str, token: str, size: int) -> int:
    make_body, real_token = KINDS[kind]
    headers = form_headers(token if real_token else "not-a-token", size + len(FILE_PART_HEAD) + 2)
    status, _ = await raw_request(port, "POST", "/api/images", headers, iter([*make_body(size), FILE_PART_HEAD]))
    return status


async def large_json_route_body(system: System, size: int) -> dict[str, Any]:
    port = urlsplit(system.url).port or 80
    sampler = RssSampler({"edge": system.pid("edge")})
    await asyncio.sleep(0.5)
    idle = sampler.rss()["edge"]
    headers = {"content-type": "text/plain", "transfer-encoding": "chunked"}
    with sampler:
        status, _ = await raw_request(port, "POST", "/api/auth/login", headers, chunked(repeated(b"x", size)))
    return {"body_mib": size / MIB, "status": status, "growth_mib": (sampler.peak["edge"] - idle) / MIB}


async def cpu_per_hostile_upload(system: System, token: str, size: int, repeats: int) -> dict[str, Any]:
    port = urlsplit(system.url).port or 80
    rows = {}
    for kind in KINDS:
        cpu = CpuMeter({"edge": system.pid("edge")})
        statuses = [await hostile_upload(port, kind, token, size) for _ in range(repeats)]
        rows[kind] = {"statuses": sorted(set(statuses)), "edge_cpu_s": cpu.used()["edge"] / repeats}
    return rows


def start_load(system: System, path: str, token: str, rate: int, seconds: int) -> subprocess.Popen[str]:
    command = [sys.executable, str(BENCH / "load.py"), system.url + path, token, str(rate), str(seconds)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


async def latency(
    system: System, token: str, *, hostile: bool, rate: int, attack_rate: int, seconds: int, size: int
) -> dict[str, Any]:
    """p50/p99 of `/` and of `GET /api/images` at `rate` each, quiet or with `attack_rate` hostile
    uploads a second."""
    port = urlsplit(system.url).port or 80
    loads = {path: start_load(system, path, token, rate, seconds) for path in ("/", "/api/images")}
    sent: list[asyncio.Task[int]] = []
    if hostile:
        # Open loop, like the load: hostile uploads start on schedule whatever the edge does.
        kinds, begin = list(KINDS), time.monotonic()
        for index in range(attack_rate * seconds):
            await asyncio.sleep(max(0.0, begin + index / attack_rate - time.monotonic()))
            sent.append(asyncio.create_task(hostile_upload(port, kinds[index % len(kinds)], token, size)))
        await asyncio.gather(*sent)
    results = {}
    for path, process in loads.items():
        out, _ = await asyncio.to_thread(process.communicate)
        results[path] = json.loads(out)
    return {"hostile_requests": len(sent), "seconds": seconds, "paths": results}


async def part_hostile(system: System, token: str) -> dict[str, Any]:
    size = setting("BENCH_HOSTILE_MIB", 8) * MIB
    seconds, rate = setting("BENCH_HOSTILE_SECONDS", 10), setting("BENCH_HOSTILE_RATE", 50)
    attack_rate = setting("BENCH_HOSTILE_ATTACK_RATE", 20)
    pace = {"rate": rate, "attack_rate": attack_rate, "seconds": seconds, "size": size}
    return {
        "json_route_body": await large_json_route_body(system, 200 * MIB),
        "cpu_per_request": await cpu_per_hostile_upload(system, token, size, repeats=20),
        "web_app_served": (ROOT / "web" / "dist" / "index.html").is_file(),
        "latency_quiet": await latency(system, token, hostile=False, **pace),
        "latency_hostile": await latency(system, token, hostile=True, **pace),
    }


def _errors(row: dict[str, Any], results: dict[str, Any]) -> int:
    """Failed requests; without a built web app, `/` is a 404 by design and not counted."""
    return sum(n for status, n in row["errors"].items() if results["web_app_served"] or status != "404")


def report_hostile(results: dict[str, Any]) -> tuple[list[str], list[tuple[bool, str]]]:
    """The part's lines for the table, and its targets."""
    body = results["json_route_body"]
    cpu = results["cpu_per_request"]
    lines = [
        f"hostile: {body['body_mib']:.0f} MiB text/plain to /api/auth/login: {body['status']}, "
        f"edge RSS growth {body['growth_mib']:.1f} MiB",
        "  edge CPU per hostile upload: "
        + ", ".join(
            f"{kind} {row['edge_cpu_s'] * 1000:.1f} ms ({'/'.join(map(str, row['statuses']))})"
            for kind, row in cpu.items()
        ),
    ]
    quiet, hostile = results["latency_quiet"], results["latency_hostile"]
    page = "/ (web app)" if results["web_app_served"] else "/ (no web app built: 404)"
    for path, name in (("/", page), ("/api/images", "GET /api/images")):
        q, h = quiet["paths"][path], hostile["paths"][path]
        lines.append(
            f"  {name}: p50 {q['p50_ms']:.1f} → {h['p50_ms']:.1f} ms, p99 {q['p99_ms']:.1f} → {h['p99_ms']:.1f} ms "
            f"with {hostile['hostile_requests'] / hostile['seconds']:.0f} hostile uploads/s arriving "
            f"(errors {_errors(h, results)})"
        )
    worst = max(row["edge_cpu_s"] for row in cpu.values())
    targets = [
        (
            body["status"] == 413 and body["growth_mib"] < 30,
            f"200 MiB non-upload body: 413, RSS growth < 30 MiB: {body['growth_mib']:.1f} MiB",
        ),
        (worst < 0.05, f"edge CPU per hostile upload < 0.05 s: worst {worst:.3f} s"),
    ]
    return lines, targets


def main() -> None:
    system = System(max_upload_bytes=50 * MIB)
    system.start()
    try:
        with httpx.Client(base_url=system.url) as client:
            password = "bench password 1"
            body = {"email": "hostile-bench@example.com", "password": password, "password_confirm": password}
            token = client.post("/api/auth/register", json=body).raise_for_status().json()["access_token"]
        results = asyncio.run(part_hostile(system, token))
    finally:
        system.stop()
    lines, targets = report_hostile(results)
    print("\n".join(lines + ["", "targets:"] + [f"  {'✓' if ok else '✗'} {text}" for ok, text in targets]))


if __name__ == "__main__":
    main()
