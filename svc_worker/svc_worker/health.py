"""`python -m svc_worker.health`: the container health check.

Redis answers and the SAQ queue has at least one live worker (workers publish their stats every
few seconds with a short expiry, so a hung or dead worker drops out of the list).
"""

from __future__ import annotations

import asyncio
import contextlib

from redis.exceptions import RedisError
from saq import Queue

from pixelflow.runtime.healthcheck import exit_with
from svc_worker.settings import WorkerSettings


async def problem(settings: WorkerSettings) -> str | None:
    queue = Queue.from_url(settings.redis_url, name=settings.queue_name)
    try:
        await asyncio.wait_for(queue.connect(), 3)
        info = await asyncio.wait_for(queue.info(), 3)
    except (RedisError, OSError, TimeoutError) as exc:
        return f"Redis: {exc}"
    finally:
        with contextlib.suppress(RedisError, OSError):
            await queue.disconnect()
    return None if info.get("workers") else f"no live worker on queue {settings.queue_name}"


if __name__ == "__main__":
    exit_with(asyncio.run(problem(WorkerSettings())))
