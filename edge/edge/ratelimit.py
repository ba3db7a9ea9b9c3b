"""Rate limits in Redis, shared by every edge replica: they lock out the guesser, not the owner.

Sign-in failures are counted per client (an IPv4 address, or an IPv6 network of
`ipv6_client_prefix` bits: one host holds a whole /64) and per (email, client). A client past either
limit gets 429; a client with no recent failures is never held back. Failures on one email from
every client together only slow that email down, for clients that have failed recently: each
further failure doubles the wait, so an address that keeps guessing is slowed down to one guess a
minute, while the owner, from an address without failures, signs in at once. The price of that
promise: a guesser spread over many addresses gets each fresh address's first guesses (up to the
per-email-and-client limit) before it is slowed; the argon2id cost of every guess is what bounds it.

Attempts are counted before they are made (a burst of parallel guesses cannot all pass one check)
and given back when they did not fail, and only the client's own keys are written before the
check: nothing another client does is counted against the owner.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from edge.settings import EdgeSettings
from pixelflow.emails import email_key
from pixelflow.errors import RateLimited


class RateLimitExceeded(RateLimited):
    def __init__(self, retry_after: float) -> None:
        seconds = max(math.ceil(retry_after), 1)
        super().__init__(f"too many attempts, retry in {seconds} s")
        self.headers = {"Retry-After": str(seconds)}


@dataclass(frozen=True)
class LoginLimits:
    window_seconds: int
    failures_per_client: int
    failures_per_email_and_client: int
    email_slowdown_after: int
    email_window_seconds: int
    email_first_delay_seconds: float
    email_max_delay_seconds: float


def client_key(address: str, *, ipv6_prefix: int) -> str:
    """The unit a limit counts: an IPv4 address, or the IPv6 network of `ipv6_prefix` bits."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))
    return str(ip)


def _count_in_window(pipe: Pipeline, name: str, window_seconds: int) -> None:
    """Queues one more for `name` (two results: the second is the count). SET NX EX starts the window:
    EXPIRE's NX option needs Redis 7, and the embedded Redis of `make dev` is 6.2."""
    pipe.set(name, 0, ex=window_seconds, nx=True)
    pipe.incr(name)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LoginAttempt:
    """One sign-in attempt that passed the limits; `failed()` or `passed()` settles it."""

    limiter: RateLimiter
    client_name: str
    pair_name: str
    email_digest: str

    async def passed(self) -> None:
        """The attempt did not fail (signed in, or refused for another reason): it counts nothing."""
        await self.limiter.give_back(keys=[self.client_name, self.pair_name])

    async def failed(self) -> None:
        """A wrong password: the client's reserved counts stand, and the email counts one more."""
        limits = self.limiter.login_limits
        email_name = self.limiter.name("login", "email", self.email_digest)
        async with self.limiter.redis.pipeline(transaction=True) as pipe:
            _count_in_window(pipe, email_name, limits.email_window_seconds)
            _, count = await pipe.execute()
        beyond = int(count) - limits.email_slowdown_after
        if beyond >= 0:
            delay = min(limits.email_first_delay_seconds * 2**beyond, limits.email_max_delay_seconds)
            slow_name = self.limiter.name("login", "email-slow", self.email_digest)
            await self.limiter.redis.set(slow_name, b"1", px=max(int(delay * 1000), 1))


# Gives back reserved failures; a count whose window has ended is left alone (a DECR would
# recreate it, negative and without expiry).
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('exists', key) == 1 then redis.call('decr', key) end
end
return 1
"""


class RateLimiter:
    def __init__(self, redis: Redis, *, prefix: str, login_limits: LoginLimits, ipv6_prefix: int) -> None:
        self.redis = redis
        self.login_limits = login_limits
        self._prefix = prefix
        self._ipv6_prefix = ipv6_prefix
        self._give_back = redis.register_script(_GIVE_BACK)

    @classmethod
    def for_settings(cls, redis: Redis, settings: EdgeSettings) -> RateLimiter:
        limits = LoginLimits(
            window_seconds=settings.auth_rate_window_seconds,
            failures_per_client=settings.auth_rate_limit_per_minute,
            failures_per_email_and_client=settings.auth_failures_per_email_and_client,
            email_slowdown_after=settings.auth_email_slowdown_after,
            email_window_seconds=settings.auth_email_window_seconds,
            email_first_delay_seconds=settings.auth_email_first_delay_seconds,
            email_max_delay_seconds=settings.auth_email_max_delay_seconds,
        )
        return cls(redis, prefix=settings.redis_prefix, login_limits=limits, ipv6_prefix=settings.ipv6_client_prefix)

    async def give_back(self, *, keys: list[str]) -> None:
        await self._give_back(keys=keys)

    def name(self, action: str, scope: str, digest: str) -> str:
        return f"{self._prefix}:ratelimit:{action}:{scope}:{digest}"

    def client(self, address: str) -> str:
        return client_key(address, ipv6_prefix=self._ipv6_prefix)

    async def hit(self, *, action: str, address: str, limit: int, window_seconds: int) -> None:
        """Counts one attempt of the client; raises past `limit` within the window."""
        name = self.name(action, "client", _digest(self.client(address)))
        async with self.redis.pipeline(transaction=True) as pipe:
            _count_in_window(pipe, name, window_seconds)
            pipe.pttl(name)
            _, count, ttl_ms = await pipe.execute()
        if int(count) > limit:
            raise RateLimitExceeded(retry_after=max(int(ttl_ms), 1) / 1000)

    async def login_attempt(self, *, address: str, email: str) -> LoginAttempt:
        """Reserves one failure for the client and the (email, client) pair; raises when either is
        past its limit, or when the email is being slowed down and this client has failed before."""
        limits = self.login_limits
        client = _digest(self.client(address))
        email = _digest(email_key(email))
        attempt = LoginAttempt(
            limiter=self,
            client_name=self.name("login", "client", client),
            pair_name=self.name("login", "email-client", _digest(email, client)),
            email_digest=email,
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            for name in (attempt.client_name, attempt.pair_name):
                _count_in_window(pipe, name, limits.window_seconds)
                pipe.pttl(name)
            pipe.pttl(self.name("login", "email-slow", email))
            _, client_count, client_ttl, _, pair_count, pair_ttl, slow_ttl = await pipe.execute()
        refused_for = 0
        if int(client_count) > limits.failures_per_client:
            refused_for = client_ttl
        elif int(pair_count) > limits.failures_per_email_and_client:
            refused_for = pair_ttl
        elif int(slow_ttl) > 0 and int(client_count) > 1:
            refused_for = slow_ttl
        if refused_for:
            raise RateLimitExceeded(retry_after=max(int(refused_for), 1) / 1000)
        return attempt
