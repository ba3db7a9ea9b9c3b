"""Open-loop HTTP load: `python bench/load.py URL TOKEN RATE SECONDS`, JSON latencies on stdout.

Requests start on a fixed schedule whatever the answers do, so a slow server shows up as latency
(not as a lower rate, which closed-loop clients would quietly report instead). aiohttp, not httpx:
the client shares the machine with the server, and httpx spent more CPU per request than the edge.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import time

import aiohttp


async def main(url: str, token: str, rate: int, seconds: int) -> None:
    # The client's own collector pauses would be counted as the server's latency.
    gc.collect()
    gc.freeze()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=10)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:

        async def one() -> None:
            started = time.perf_counter()
            try:
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors[str(response.status)] = errors.get(str(response.status), 0) + 1
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            latencies.append(time.perf_counter() - started)

        await one()  # warm the connection pool and the server's token cache
        latencies.clear()
        tasks = []
        begin = time.perf_counter()
        for index in range(rate * seconds):
            delay = begin + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    ordered = sorted(latencies)
    json.dump(
        {
            "requests": len(ordered),
            "achieved_rate": len(ordered) / elapsed,
            "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
            "max_ms": ordered[-1] * 1000,
            "errors": errors,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
