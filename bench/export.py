"""The export's memory: an account of BENCH_EXPORT_IMAGES (200) images downloaded as one ZIP, with
the peak RSS growth of the edge and svc_images while it streams (issue 18: flat, under 30 MiB).

Part of `make bench`; alone: `.venv/bin/python -m bench.export` (starts its own system)."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.meters import RssSampler
from bench.system import ROOT, System

MIB = 1024 * 1024
UPLOADS_AT_ONCE = 4


async def part_export(system: System, sample: Path, images: int) -> dict[str, Any]:
    data = await asyncio.to_thread(sample.read_bytes)
    password = "bench password 1"
    body = {"email": f"export-{uuid.uuid4().hex[:10]}@example.com", "password": password, "password_confirm": password}
    async with httpx.AsyncClient(base_url=system.url, timeout=600) as client:
        session = (await client.post("/api/auth/register", json=body)).raise_for_status().json()
        headers = {"Authorization": f"Bearer {session['access_token']}"}
        room = asyncio.Semaphore(UPLOADS_AT_ONCE)

        async def upload(number: int) -> None:
            async with room:
                response = await client.post(
                    "/api/images", files={"file": (f"{number}-{sample.name}", data)}, headers=headers
                )
                response.raise_for_status()

        await asyncio.gather(*(upload(number) for number in range(images)))
        sampler = RssSampler({"edge": system.pid("edge"), "svc_images": system.pid("images")})
        await asyncio.sleep(1)
        idle = sampler.rss()
        archive_bytes = 0
        with sampler:
            begin = time.perf_counter()
            async with client.stream("GET", "/api/images/export", headers=headers) as response:
                response.raise_for_status()
                async for chunk in response.aiter_raw():
                    archive_bytes += len(chunk)
            seconds = time.perf_counter() - begin
    return {
        "images": images,
        "original_mib": images * len(data) / MIB,
        "archive_mib": archive_bytes / MIB,
        "seconds": seconds,
        "growth_mib": {name: (sampler.peak[name] - idle[name]) / MIB for name in idle},
        "idle_mib": {name: value / MIB for name, value in idle.items()},
    }


def report_line(result: dict[str, Any]) -> str:
    growth = result["growth_mib"]
    return (
        f"export of {result['images']} images ({result['archive_mib']:.1f} MiB ZIP) in {result['seconds']:.1f} s: "
        f"RSS growth edge {growth['edge']:.1f} MiB, svc_images {growth['svc_images']:.1f} MiB"
    )


def main() -> None:
    sample = sorted((ROOT / "bench" / "corpus").glob("*.jpg"))[0]
    system = System(max_upload_bytes=50 * MIB)
    system.start()
    try:
        result = asyncio.run(part_export(system, sample, int(os.environ.get("BENCH_EXPORT_IMAGES", 200))))
    finally:
        system.stop()
    print(report_line(result))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
