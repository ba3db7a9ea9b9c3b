"""Container health probes: exit 0 when healthy, 1 otherwise, with the reason on stderr."""

from __future__ import annotations

import asyncio
import sys
import urllib.error
import urllib.request

import grpc

from pixelflow.runtime.health import SERVING, serving_status

TIMEOUT_SECONDS = 3.0


async def grpc_serving(address: str, service: str) -> str | None:
    """None when `service` answers SERVING at `address`; otherwise what is wrong."""
    async with grpc.aio.insecure_channel(address) as channel:
        status = await serving_status(channel, service, TIMEOUT_SECONDS)
    return None if status == SERVING else f"{service} at {address}: {status}"


def http_ok(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - a fixed local URL
            return None if response.status == 200 else f"{url}: HTTP {response.status}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{url}: {exc}"


def grpc_main(port: int, service: str) -> None:
    exit_with(asyncio.run(grpc_serving(f"127.0.0.1:{port}", service)))


def exit_with(problem: str | None) -> None:
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
