"""Part 6 of `make bench` (alone: `python -m bench.run variants`): the variant set per image.

1. The set (full WebP + 128×128 thumbnail + widths narrower than the image + placeholder) against the
   full WebP alone, against decoding once per variant, and against the other one-decode plan
   (`pyvips-reload`: each width by shrink-on-load from the file); pyvips against Pillow (`draft` +
   `thumbnail`) and sharp (`resize`) making the same set with the same encoder settings. Each way
   runs in its own process, interleaved over rounds; CPU seconds (steadier than the wall clock on a
   shared machine) and bytes.
2. Upload → first `image.updated` carrying the thumbnail, against upload → `done`, one image at a
   time on an otherwise idle system.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import socketio

from bench.report import DEFAULT_EFFORT, QUALITY, mark
from bench.system import ROOT, System

BENCH = ROOT / "bench"
# svc_images' `variant_webp_effort` default: the thumbnail and widths.
VARIANT_EFFORT = 2
PYTHON_WAYS = ("pyvips-full", "pyvips-set", "pyvips-per-variant", "pyvips-reload", "pillow-full", "pillow-set")
SHARP_WAYS = ("sharp-full", "sharp-set")


def make_set(way: str, files: list[Path], variant_effort: int = VARIANT_EFFORT) -> dict[str, Any]:
    if way.startswith("sharp"):
        command = ["node", str(BENCH / "variants_sharp.mjs"), *(["--full"] if way == "sharp-full" else [])]
        command += [str(QUALITY), str(DEFAULT_EFFORT), str(variant_effort), *map(str, files)]
    else:
        command = [sys.executable, str(BENCH / "variants_python.py"), "--way", way, "--quality", str(QUALITY)]
        command += ["--effort", str(DEFAULT_EFFORT), "--variant-effort", str(variant_effort), *map(str, files)]
    env = os.environ | {"MALLOC_ARENA_MAX": "2", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def part_variant_sets(files: list[Path], rounds: int) -> dict[str, Any]:
    names = [*PYTHON_WAYS, *SHARP_WAYS, "pyvips-set-effort4"]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_number in range(rounds):
        for name in names:
            if name == "pyvips-set-effort4":  # the variants at the full WebP's effort
                runs[name].append(make_set("pyvips-set", files, variant_effort=DEFAULT_EFFORT))
            else:
                runs[name].append(make_set(name, files))
        print(f"  variant sets round {round_number + 1}/{rounds} done", flush=True)
    return {
        name: {
            "cpu_ms_per_image": 1000 * statistics.median(run["cpu_seconds"] for run in way_runs) / len(files),
            "wall_ms_per_image": 1000 * statistics.median(run["wall_seconds"] for run in way_runs) / len(files),
            "output_bytes": sum(way_runs[-1]["sizes"]),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in way_runs),
        }
        for name, way_runs in runs.items()
    }


async def part_first_thumbnail(system: System, files: list[Path]) -> dict[str, Any]:
    """One upload at a time: seconds to the first event carrying the thumbnail, and to `done`."""
    thumb_at: dict[str, float] = {}
    done_at: dict[str, float] = {}
    arrived = asyncio.Condition()
    async with httpx.AsyncClient(base_url=system.url, timeout=120) as client:
        password = "bench password 1"
        email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        body = {"email": email, "password": password, "password_confirm": password}
        session = (await client.post("/api/auth/register", json=body)).raise_for_status().json()
        sock = socketio.AsyncClient(reconnection=False)

        async def on_update(data: dict[str, Any]) -> None:
            now = time.perf_counter()
            if data["variants"] and data["id"] not in thumb_at:
                thumb_at[data["id"]] = now
            if data["status"] in ("done", "failed"):
                done_at[data["id"]] = now
            async with arrived:
                arrived.notify_all()

        sock.on("image.updated", on_update)
        await sock.connect(system.url, auth={"token": session["access_token"]}, transports=["websocket"])
        headers = {"Authorization": f"Bearer {session['access_token']}"}
        began: dict[str, float] = {}
        try:
            for path in files:
                start = time.perf_counter()
                response = await client.post(
                    "/api/images", files={"file": (path.name, path.read_bytes())}, headers=headers
                )
                image_id = response.raise_for_status().json()["id"]
                began[image_id] = start
                async with arrived:
                    await asyncio.wait_for(arrived.wait_for(lambda: image_id in done_at), 300)  # noqa: B023
        finally:
            await sock.disconnect()
    to_thumb = [thumb_at[i] - began[i] for i in began]
    to_done = [done_at[i] - began[i] for i in began]
    return {
        "images": len(began),
        "thumbnail_p50_s": statistics.median(to_thumb),
        "done_p50_s": statistics.median(to_done),
        # Per image, then the median: each thumbnail against its own image's `done`.
        "ratio_p50": statistics.median((thumb_at[i] - began[i]) / (done_at[i] - began[i]) for i in began),
    }


def part_variants(files: list[Path], rounds: int, system: System | None) -> dict[str, Any]:
    results: dict[str, Any] = {"sets": part_variant_sets(files, rounds)}
    if system is not None:
        results["first_thumbnail"] = asyncio.run(part_first_thumbnail(system, files))
    return results


def report_variants(results: dict[str, Any]) -> list[str]:
    sets = results["sets"]

    def cpu(name: str) -> float:
        return float(sets[name]["cpu_ms_per_image"])

    lines = [
        "",
        f"variant sets (full WebP effort {DEFAULT_EFFORT}, thumbnail and widths effort {VARIANT_EFFORT};"
        " median CPU ms per image):",
        f"{'way':<22}{'CPU ms':>10}{'wall ms':>10}{'output':>12}{'peak RSS':>12}",
    ]
    for name, row in sets.items():
        lines.append(
            f"{name:<22}{row['cpu_ms_per_image']:>10.0f}{row['wall_ms_per_image']:>10.0f}"
            f"{row['output_bytes'] / 1024:>9.0f} KB{row['peak_rss_mb']:>9.0f} MB"
        )
    set_ratio = cpu("pyvips-set") / cpu("pyvips-full")
    per_variant = cpu("pyvips-per-variant") / cpu("pyvips-set")
    fastest_peer = min(cpu("pillow-set"), cpu("sharp-set"))
    peer_bytes = min(sets["pillow-set"]["output_bytes"], sets["sharp-set"]["output_bytes"])
    lines += [
        f"  {mark(set_ratio <= 2.0)} the set costs {set_ratio:.2f}× the full WebP alone (target ≤ 2.0×;"
        f" with the variants at effort {DEFAULT_EFFORT}: {cpu('pyvips-set-effort4') / cpu('pyvips-full'):.2f}×)",
        f"  {mark(per_variant >= 1.2)} one decode is {per_variant:.2f}× faster than a decode per variant"
        " (target ≥ 1.2×)",
        f"  {mark(cpu('pyvips-set') <= fastest_peer)} pyvips makes the set in {cpu('pyvips-set'):.0f} ms against"
        f" {fastest_peer:.0f} ms for the faster of Pillow and sharp (target: at least as fast)",
        f"  {mark(sets['pyvips-set']['output_bytes'] <= peer_bytes)} pyvips' set is"
        f" {sets['pyvips-set']['output_bytes'] / 1024:.0f} KB against {peer_bytes / 1024:.0f} KB (target: ≤)",
        f"  one-decode plans: widths from the decode in memory {cpu('pyvips-set'):.0f} ms,"
        f" each width shrunk on load from the file {cpu('pyvips-reload'):.0f} ms",
    ]
    first = results.get("first_thumbnail")
    if first:
        ratio = first["ratio_p50"]
        lines.append(
            f"  {mark(ratio <= 0.25)} first thumbnail event at p50 {first['thumbnail_p50_s'] * 1000:.0f} ms,"
            f" done at {first['done_p50_s'] * 1000:.0f} ms: {ratio:.2f}× (target ≤ 0.25×)"
        )
    return lines
