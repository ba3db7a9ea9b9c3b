"""`make bench`: the pipeline against the raw libvips limit and the peers' libraries, as ratios.

1. Conversion, library against library: pyvips as the worker calls it, Pillow, sharp; interleaved
   A B C rounds; images/s (median, spread), peak RSS, output sizes; pyvips at effort 2, 3 and 4.
2. End to end: K users sign in and upload the corpus at once over HTTP, each on Socket.IO; compared
   with the raw limit measured again just before, since the machine's speed drifts over part 1.
3. Streaming memory: a 200 MiB upload, peak RSS growth of the edge and svc_images.
4. API under load: fixed-rate GETs from a separate process.
5. Hostile clients (bench.hostile): the edge's memory under a 200 MiB non-upload body, its CPU per
   hostile upload, and the latency of `/` and an API read while hostile uploads arrive.
6. Variants (bench.variants): the whole variant set per image against the full WebP alone, a decode
   per variant, Pillow and sharp; upload → first thumbnail event against upload → done.
   `python -m bench.run variants` runs this part alone.

Settings: BENCH_IMAGES (a folder of JPEGs; default bench/corpus), BENCH_ROUNDS (3), BENCH_USERS (8),
BENCH_RATE (200 requests/s), BENCH_LOAD_SECONDS (30), BENCH_UPLOAD_MIB (200), BENCH_HOSTILE_MIB (8),
BENCH_HOSTILE_SECONDS (10), BENCH_HOSTILE_RATE (50 requests/s), BENCH_EXPORT_IMAGES (200: the export's
memory, bench/export.py), BENCH_VARIANT_ROUNDS (2), BENCH_BATCH_FILES (100: one batch through
`POST /api/batches` and its archive, bench/batches.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import socketio

from bench.batches import part_batches
from bench.conversion import part_conversion, raw_limit
from bench.export import part_export
from bench.hostile import part_hostile
from bench.meters import CpuMeter, RssSampler
from bench.report import report
from bench.steal import StealMeter
from bench.system import ROOT, System
from bench.variants import part_first_thumbnail, part_variants, report_variants

BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
MIB = 1024 * 1024


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def corpus() -> list[Path]:
    folder = Path(os.environ.get("BENCH_IMAGES", BENCH / "corpus"))
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    if not files:
        raise SystemExit(f"no images in {folder}")
    return files


# Parts 2 to 4 ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(round(fraction * len(ordered)) - 1, 0)]


async def register(client: httpx.AsyncClient) -> dict[str, Any]:
    password = "bench password 1"
    body = {"email": f"bench-{uuid.uuid4().hex[:10]}@example.com", "password": password, "password_confirm": password}
    response = await client.post("/api/auth/register", json=body)
    response.raise_for_status()
    session: dict[str, Any] = response.json()
    return session


async def part_end_to_end(system: System, files: list[Path], users: int) -> dict[str, Any]:
    payloads = [(path.name, path.read_bytes()) for path in files]
    done_at: dict[str, float] = {}
    overhead: list[float] = []
    all_done = asyncio.Event()
    expected = users * len(files)
    async with httpx.AsyncClient(base_url=system.url, timeout=120) as client:
        sessions = [await register(client) for _ in range(users)]
        sockets = []
        for _ in sessions:
            sockets.append(socketio.AsyncClient(reconnection=False))

        def on_update(data: dict[str, Any]) -> None:
            if data["status"] == "done" and data["id"] not in done_at:
                done_at[data["id"]] = time.perf_counter()
                processed = datetime.fromisoformat(data["processed_at"])
                overhead.append(datetime.now(UTC).timestamp() - processed.timestamp())
                if len(done_at) == expected:
                    all_done.set()

        for sock, session in zip(sockets, sessions, strict=True):
            sock.on("image.updated", on_update)
            await sock.connect(system.url, auth={"token": session["access_token"]}, transports=["websocket"])

        started_at: dict[str, float] = {}
        owned: dict[str, list[str]] = {}

        async def user(session: dict[str, Any]) -> None:
            headers = {"Authorization": f"Bearer {session['access_token']}"}
            for name, data in payloads:
                begin = time.perf_counter()
                response = await client.post("/api/images", files={"file": (name, data)}, headers=headers)
                response.raise_for_status()
                started_at[response.json()["id"]] = begin
                owned.setdefault(session["access_token"], []).append(response.json()["id"])

        cpu = CpuMeter({name: system.pid(name) for name in system.processes})
        first_byte = time.perf_counter()
        await asyncio.gather(*(user(session) for session in sessions))
        await asyncio.wait_for(all_done.wait(), 600)
        last_done = max(done_at.values())
        cpu_seconds = cpu.used()
        for sock in sockets:
            await sock.disconnect()
        latest_token = sessions[0]["access_token"]
        some_id = owned[latest_token][0]
    latencies = [done_at[image_id] - begin for image_id, begin in started_at.items()]
    return {
        "images": expected,
        "users": users,
        "images_per_second": expected / (last_done - first_byte),
        "latency_p50_s": percentile(latencies, 0.50),
        "latency_p95_s": percentile(latencies, 0.95),
        "latency_p99_s": percentile(latencies, 0.99),
        "notify_p50_ms": percentile(overhead, 0.50) * 1000,
        "notify_p95_ms": percentile(overhead, 0.95) * 1000,
        "cpu_seconds": cpu_seconds,
        "wall_seconds": last_done - first_byte,
        "token": latest_token,
        "image_id": some_id,
    }


async def settled(client: httpx.AsyncClient, image_id: str, token: str, timeout: float = 300) -> tuple[str, float]:
    """Waits for the image to be `done` or `failed`: (its status, seconds waited)."""
    begin = time.perf_counter()
    while True:
        response = await client.get(f"/api/images/{image_id}", headers={"Authorization": f"Bearer {token}"})
        status = str(response.raise_for_status().json()["status"])
        waited = time.perf_counter() - begin
        if status in ("done", "failed") or waited > timeout:
            return status, waited
        await asyncio.sleep(0.5)


async def part_streaming_memory(system: System, token: str, sample: Path, mib: int) -> dict[str, Any]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    photo = await asyncio.to_thread(sample.read_bytes)

    async def body() -> Any:
        yield head + photo
        padding = b"\0" * MIB
        for _ in range(mib - len(photo) // MIB):
            yield padding
        yield f"\r\n--{boundary}--\r\n".encode()

    sampler = RssSampler({"edge": system.pid("edge"), "svc_images": system.pid("images")})
    await asyncio.sleep(1)
    idle = sampler.rss()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    with sampler:
        async with httpx.AsyncClient(base_url=system.url, timeout=600) as client:
            begin = time.perf_counter()
            response = await client.post("/api/images", content=body(), headers=headers)
            seconds = time.perf_counter() - begin
            response.raise_for_status()
            # Part 4 measures the API, not the API fighting this file's conversion for the 2 cores.
            status, processing_seconds = await settled(client, response.json()["id"], token)
    return {
        "upload_mib": mib,
        "seconds": seconds,
        "processed": {"status": status, "seconds": processing_seconds},
        "growth_mib": {name: (sampler.peak[name] - idle[name]) / MIB for name in idle},
        "idle_mib": {name: value / MIB for name, value in idle.items()},
    }


def part_load(system: System, token: str, image_id: str, rate: int, seconds: int) -> dict[str, Any]:
    results = {}
    for name, path in (("latest", "/api/images/latest"), ("by_id", f"/api/images/{image_id}")):
        command = [sys.executable, str(BENCH / "load.py"), system.url + path, token, str(rate), str(seconds)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results[name] = json.loads(done.stdout)
    return results


def main_variants() -> None:
    """Part 6 alone."""
    files = corpus()
    print("6/6 variants", flush=True)
    with StealMeter() as stolen:
        results = part_variants(files, setting("BENCH_VARIANT_ROUNDS", 2), None)
    results["cpu_stolen_percent"] = stolen.percent
    print("\n".join(report_variants(results)), flush=True)  # the sets, should the system not start
    system = System(max_upload_bytes=64 * MIB)
    system.start()
    try:
        results["first_thumbnail"] = asyncio.run(part_first_thumbnail(system, files))
    finally:
        system.stop()
    print("\n".join(report_variants(results)))
    _save(results, "variants")


def _save(results: dict[str, Any], name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{name}-{stamp}.json").write_text(json.dumps(results, indent=2))
    print(f"\nresults: bench/results/{name}-{stamp}.json")


def main() -> None:
    if sys.argv[1:] == ["variants"]:
        main_variants()
        return
    files = corpus()
    rounds = setting("BENCH_ROUNDS", 3)
    megapixels = 0.0
    import pyvips

    for path in files:
        header = pyvips.Image.new_from_file(str(path))
        megapixels += header.width * header.height / 1e6
    results: dict[str, Any] = {"images": len(files), "megapixels": megapixels, "rounds": rounds}
    print("1/6 conversion, library against library", flush=True)
    with StealMeter() as stolen:
        results["conversion"] = part_conversion(files, rounds)
    steal = {"conversion": stolen.percent}
    upload_mib = setting("BENCH_UPLOAD_MIB", 200)
    system = System(max_upload_bytes=(upload_mib + 16) * MIB)
    print("2/6 end to end (starting the system)", flush=True)
    # Measured again next to part 2: this machine's speed drifts over the minutes part 1 takes.
    results["conversion"]["raw_before_end_to_end"] = raw_limit(files)
    system.start()
    try:
        with StealMeter() as stolen:
            results["end_to_end"] = asyncio.run(part_end_to_end(system, files, setting("BENCH_USERS", 8)))
        steal["end_to_end"] = stolen.percent
        token, image_id = results["end_to_end"].pop("token"), results["end_to_end"].pop("image_id")
        print("3/6 streaming memory", flush=True)
        results["streaming_memory"] = asyncio.run(part_streaming_memory(system, token, files[0], upload_mib))
        print("4/6 API under load", flush=True)
        rate, seconds = setting("BENCH_RATE", 200), setting("BENCH_LOAD_SECONDS", 30)
        with StealMeter() as stolen:
            results["load"] = part_load(system, token, image_id, rate, seconds)
        steal["load"] = stolen.percent
        print("5/6 hostile clients", flush=True)
        results["hostile"] = asyncio.run(part_hostile(system, token))
        print("6/6 variants", flush=True)
        results["variants"] = part_variants(files, setting("BENCH_VARIANT_ROUNDS", 2), system)
        print("and the export's memory", flush=True)
        results["export"] = asyncio.run(part_export(system, files[0], setting("BENCH_EXPORT_IMAGES", 200)))
        print("and a batch with its archive", flush=True)
        results["batches"] = asyncio.run(part_batches(system, files, setting("BENCH_BATCH_FILES", 100)))
        results["cpu_stolen_percent"] = steal
    finally:
        system.stop()
    text = "\n".join([report(results), *report_variants(results["variants"])])
    print("\n" + text)
    _save(results, "bench")


if __name__ == "__main__":
    main()
