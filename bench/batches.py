"""A batch of the corpus through `POST /api/batches`: BENCH_BATCH_FILES (100) files in one request,
its throughput (upload to every image done) against the raw limit measured just before, and the
edge's peak RSS growth while the batch streams in and while its archive streams out (issue 17:
flat, under 30 MiB).

Part of `make bench`; alone: `.venv/bin/python -m bench.batches` (starts its own system)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from bench.meters import RssSampler
from bench.system import ROOT, System

MIB = 1024 * 1024
POLL_SECONDS = 0.5


async def _body(boundary: str, files: list[Path]) -> AsyncIterator[bytes]:
    """The form, a file at a time: the client holds one file, as the edge should."""
    for number, path in enumerate(files):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{number}-{path.name}"\r\n'
        yield head.encode() + b"Content-Type: image/jpeg\r\n\r\n"
        yield await asyncio.to_thread(path.read_bytes)
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


async def part_batches(system: System, corpus: list[Path], count: int) -> dict[str, Any]:
    # Here, not at the top: bench.conversion imports bench.report, which imports this module.
    from bench.conversion import raw_limit

    files = list(itertools.islice(itertools.cycle(corpus), count))
    raw = raw_limit(corpus, repeats=1)["images_per_second"]
    password = "bench password 1"
    body = {"email": f"batch-{uuid.uuid4().hex[:10]}@example.com", "password": password, "password_confirm": password}
    async with httpx.AsyncClient(base_url=system.url, timeout=600) as client:
        session = (await client.post("/api/auth/register", json=body)).raise_for_status().json()
        headers = {"Authorization": f"Bearer {session['access_token']}"}
        sampler = RssSampler({"edge": system.pid("edge")})
        await asyncio.sleep(1)
        idle = sampler.rss()
        boundary = uuid.uuid4().hex
        with sampler:
            begin = time.perf_counter()
            response = await client.post(
                "/api/batches",
                content=_body(boundary, files),
                headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            response.raise_for_status()
            uploaded = time.perf_counter() - begin
        upload_growth = (sampler.peak["edge"] - idle["edge"]) / MIB
        batch_id = response.json()["id"]
        while True:
            batch = (await client.get(f"/api/batches/{batch_id}", headers=headers)).raise_for_status().json()
            if batch["done"] + batch["failed"] == batch["total"]:
                break
            await asyncio.sleep(POLL_SECONDS)
        finished = time.perf_counter() - begin
        sampler = RssSampler({"edge": system.pid("edge")})
        idle = sampler.rss()
        archive_bytes = 0
        with sampler:
            begin = time.perf_counter()
            async with client.stream("GET", f"/api/batches/{batch_id}/archive", headers=headers) as reply:
                reply.raise_for_status()
                async for chunk in reply.aiter_raw():
                    archive_bytes += len(chunk)
            archive_seconds = time.perf_counter() - begin
    return {
        "files": count,
        "input_mib": sum(path.stat().st_size for path in files) / MIB,
        "done": batch["done"],
        "failed": batch["failed"],
        "upload_seconds": uploaded,
        "seconds_to_done": finished,
        "images_per_second": count / finished,
        "raw_images_per_second": raw,
        "upload_growth_mib": upload_growth,
        "archive_mib": archive_bytes / MIB,
        "archive_seconds": archive_seconds,
        "archive_growth_mib": (sampler.peak["edge"] - idle["edge"]) / MIB,
    }


def report_line(result: dict[str, Any]) -> str:
    rate, raw = result["images_per_second"], result["raw_images_per_second"]
    return (
        f"batch of {result['files']} files ({result['input_mib']:.1f} MiB): uploaded in "
        f"{result['upload_seconds']:.1f} s, all done in {result['seconds_to_done']:.1f} s = "
        f"{rate:.2f} images/s ({rate / raw:.0%} of the raw limit {raw:.2f}); "
        f"edge RSS growth {result['upload_growth_mib']:.1f} MiB; archive {result['archive_mib']:.1f} MiB "
        f"in {result['archive_seconds']:.2f} s, edge RSS growth {result['archive_growth_mib']:.1f} MiB"
    )


def main() -> None:
    corpus = sorted((ROOT / "bench" / "corpus").glob("*.jpg"))
    system = System(max_upload_bytes=50 * MIB)
    system.start()
    try:
        result = asyncio.run(part_batches(system, corpus, int(os.environ.get("BENCH_BATCH_FILES", 100))))
    finally:
        system.stop()
    print(report_line(result))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
