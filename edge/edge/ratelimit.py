"""Fixed-window rate limits in Redis, shared by every edge replica."""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from pixelflow.errors import RateLimited

WINDOW_SECONDS = 60


class RateLimitExceeded(RateLimited):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts, retry in {retry_after} s")
        self.headers = {"Retry-After": str(retry_after)}


class RateLimiter:
    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, *, action: str, keys: dict[str, str], limit: int) -> None:
        """Counts one attempt under each key (e.g. client address, email); raises past `limit`."""
        async with self._redis.pipeline(transaction=True) as pipe:
            names = []
            for scope, value in keys.items():
                digest = hashlib.sha256(value.encode()).hexdigest()[:32]
                name = f"{self._prefix}:ratelimit:{action}:{scope}:{digest}"
                names.append(name)
                # SET NX EX starts the window; EXPIRE's NX option would need Redis 7 (the embedded one is 6.2).
                pipe.set(name, 0, ex=WINDOW_SECONDS, nx=True)
                pipe.incr(name)
                pipe.ttl(name)
            results = await pipe.execute()
        for index in range(len(names)):
            _, count, ttl = results[3 * index : 3 * index + 3]
            if count > limit:
                raise RateLimitExceeded(retry_after=max(int(ttl), 1))
