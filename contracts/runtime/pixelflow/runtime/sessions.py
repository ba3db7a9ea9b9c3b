"""Ended sessions: signing out ends a session everywhere within seconds, not at token expiry.

Every access token names its session (`sid`, the refresh-token family it was issued for). When a
session ends (sign-out, a replayed refresh token, later a password change), svc_auth writes one Redis
key per session id, expiring when the last access token it could have issued does. Every process
that verifies access tokens asks Redis through a short cache (`ended_session_check_seconds`), so an
ended session's tokens stop passing on every replica within that time, with one Redis read per
session and interval rather than one per request.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Collection

from pydantic import Field
from redis.asyncio import Redis
from redis.exceptions import RedisError

from pixelflow.errors import Unavailable
from pixelflow.runtime.service import Dependency, Service
from pixelflow.runtime.settings import PixelflowSettings

# Added to the key's lifetime: a token signed while the session was ending expires a little later.
_EXPIRY_MARGIN_SECONDS = 60


class SessionStoreSettings(PixelflowSettings):
    """Mixed into the settings of each process that verifies access tokens or ends sessions."""

    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis of ended sessions")
    redis_prefix: str = Field("pixelflow", min_length=1, description="namespace of every Redis key")
    ended_session_check_seconds: float = Field(
        2.0, gt=0, le=5, description="how long an open session is trusted before Redis is asked again"
    )
    redis_timeout_seconds: float = Field(2.0, gt=0, description="deadline of one Redis command")


class EndedSessions:
    def __init__(self, redis: Redis, *, prefix: str, check_seconds: float, cache_size: int = 10_000) -> None:
        self._redis = redis
        self._prefix = prefix
        self._check_seconds = check_seconds
        self._cache_size = cache_size
        # session id -> (ended, monotonic time of the answer); an ended session stays ended.
        self._known: OrderedDict[str, tuple[bool, float]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: SessionStoreSettings) -> EndedSessions:
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_seconds,
            socket_connect_timeout=settings.redis_timeout_seconds,
        )
        return cls(redis, prefix=settings.redis_prefix, check_seconds=settings.ended_session_check_seconds)

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}:session-ended:{session_id}"

    def _remember(self, session_id: str, ended: bool, now: float) -> None:
        self._known[session_id] = (ended, now)
        self._known.move_to_end(session_id)
        while len(self._known) > self._cache_size:
            self._known.popitem(last=False)

    async def end(self, session_ids: Collection[str], *, token_lifetime_seconds: float) -> None:
        """Ends the sessions for as long as any access token of theirs can still be valid."""
        if not session_ids:
            return
        expiry = math.ceil(token_lifetime_seconds) + _EXPIRY_MARGIN_SECONDS
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for session_id in session_ids:
                    pipe.set(self._key(session_id), b"1", ex=expiry)
                await pipe.execute()
        except RedisError as exc:
            raise Unavailable("the session store is unavailable") from exc
        now = time.monotonic()
        for session_id in session_ids:
            self._remember(session_id, True, now)

    async def ended(self, session_ids: Collection[str]) -> set[str]:
        """Which of the sessions have ended; Redis is asked only for answers older than the interval."""
        now = time.monotonic()
        found = set()
        stale = []
        for session_id in dict.fromkeys(session_ids):
            known = self._known.get(session_id)
            if known is not None and (known[0] or now - known[1] < self._check_seconds):
                if known[0]:
                    found.add(session_id)
                continue
            stale.append(session_id)
        if stale:
            try:
                values = await self._redis.mget([self._key(session_id) for session_id in stale])
            except RedisError as exc:
                raise Unavailable("the session store is unavailable") from exc
            for session_id, value in zip(stale, values, strict=True):
                self._remember(session_id, value is not None, now)
                if value is not None:
                    found.add(session_id)
        return found

    async def is_ended(self, session_id: str) -> bool:
        return bool(await self.ended((session_id,)))

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


class EndedSessionStore(Dependency[EndedSessions]):
    """The service's view of ended sessions, from its `SessionStoreSettings`."""

    label = "session store"

    async def setup(self, service: Service) -> EndedSessions:
        assert isinstance(service.settings, SessionStoreSettings)
        return EndedSessions.from_settings(service.settings)

    async def check(self, value: EndedSessions) -> None:
        await value.ping()

    async def teardown(self, value: EndedSessions) -> None:
        await value.close()
