"""`/healthz`: the process answers. `/readyz`: every service the edge needs, and its own Redis, answer;
when one does not, it says which (and which of that service's dependencies is down)."""

from __future__ import annotations

import asyncio

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError

from edge.deps import BackendsDep, SettingsDep
from pixelflow.runtime.health import COMPONENTS, SERVING, component_name, serving_status

router = APIRouter(tags=["health"])

NOT_SERVING = "NOT_SERVING"


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check_backend(channel: grpc.aio.Channel, service: str, timeout: float) -> str:
    """SERVING, or what is wrong: "NOT_SERVING (database)" names the dependency that is down."""
    status = await serving_status(channel, service, timeout)
    if status != NOT_SERVING:
        return status
    components = COMPONENTS.get(service, ())
    states = await asyncio.gather(*(serving_status(channel, component_name(service, c), timeout) for c in components))
    failing = [component for component, state in zip(components, states, strict=True) if state != SERVING]
    return f"{NOT_SERVING} ({', '.join(failing)})" if failing else status


async def _check_redis(redis: Redis, timeout: float) -> str:
    try:
        await asyncio.wait_for(redis.ping(), timeout)
    except (RedisError, OSError, TimeoutError) as exc:
        return f"unreachable ({type(exc).__name__})"
    return SERVING


def _describe(name: str, status: str) -> str:
    return f"{name} {status.removeprefix(NOT_SERVING + ' ')}" if status.startswith(f"{NOT_SERVING} (") else name


@router.get("/readyz", responses={503: {"description": "a dependency is down"}})
async def readyz(request: Request, backends: BackendsDep, settings: SettingsDep) -> JSONResponse:
    timeout = settings.readiness_timeout_seconds
    results = await asyncio.gather(
        *(_check_backend(channel, service, timeout) for channel, service in backends.channels().values()),
        _check_redis(request.app.state.redis, timeout),
    )
    checks = dict(zip([*backends.channels(), "redis"], results, strict=True))
    down = [_describe(name, status) for name, status in checks.items() if status != SERVING]
    if down:
        return JSONResponse({"detail": f"not ready: {', '.join(down)}", "checks": checks}, status_code=503)
    return JSONResponse({"status": "ready", "checks": checks})
