"""Sign-in limits lock out the guesser, not the owner (default limits of the test edge: 10 failures
per client, 5 per email and client, an email slowed down after 10 failures from everyone)."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
from redis.asyncio import Redis

from edge.ratelimit import LoginLimits, RateLimiter, client_key
from tests.conftest import REDIS_URL
from tests.support.users import PASSWORD, client_address, register

_networks = itertools.count(1)


def ipv6_network() -> str:
    """A fresh /64 of the documentation range 2001:db8::/32 (loopback only claims it)."""
    return f"2001:db8:{next(_networks):x}:1"


WRONG_PASSWORD = "not the password"


def full_width(text: str) -> str:
    """`EXAMPLE.com` in full-width forms (U+FF01..U+FF5E), which IDNA maps back to ASCII."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def login(edge_url: str, address: str, email: str, password: str = WRONG_PASSWORD) -> httpx.Response:
    async with httpx.AsyncClient(base_url=edge_url, headers={"X-Forwarded-For": address}) as client:
        return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_the_owner_signs_in_while_others_guess_their_password(http: httpx.AsyncClient, edge_url: str) -> None:
    owner = await register(http)
    email = owner["user"]["email"]
    guessers = [client_address() for _ in range(15)] + [f"{ipv6_network()}::7" for _ in range(15)]
    statuses = [(await login(edge_url, address, email)).status_code for address in guessers]
    assert statuses == [401] * 30  # each guesser's first try: nothing to tell it from the owner's

    # The email is now slowed down: a client that failed before waits, with a growing delay.
    again = await login(edge_url, guessers[-1], email)
    assert again.status_code == 429
    assert int(again.headers["retry-after"]) >= 1
    # The owner, from an address without failures, with the right password: signed in at once.
    signed_in = await login(edge_url, client_address(), email, PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["id"] == owner["user"]["id"]


async def test_a_client_is_limited_across_emails_and_even_with_a_right_password(
    http: httpx.AsyncClient, edge_url: str
) -> None:
    owner = await register(http)
    guesser = client_address()
    statuses = [(await login(edge_url, guesser, f"nobody-{n}@example.com")).status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    assert (await login(edge_url, guesser, owner["user"]["email"], PASSWORD)).status_code == 429
    assert (await login(edge_url, client_address(), owner["user"]["email"], PASSWORD)).status_code == 200


async def test_one_email_from_one_client_and_its_full_width_spelling_share_a_limit(
    http: httpx.AsyncClient, edge_url: str
) -> None:
    owner = await register(http)
    local = owner["user"]["email"].split("@")[0]
    spellings = [f"{local}@example.com", f"{local.upper()}@{full_width('EXAMPLE.com')}"]
    guesser = client_address()
    statuses = [(await login(edge_url, guesser, spellings[n % 2])).status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    # The same client may still try another email: only the pair is limited.
    assert (await login(edge_url, guesser, "somebody-else@example.com")).status_code == 401


async def test_ipv6_clients_are_limited_per_64(edge_url: str) -> None:
    network = ipv6_network()
    hosts = [f"{network}:{n:x}:{n:x}:{n:x}:{n:x}" for n in range(1, 12)]
    assert len({client_key(h, ipv6_prefix=64) for h in hosts}) == 1
    statuses = [(await login(edge_url, host, f"x{n}@example.com")).status_code for n, host in enumerate(hosts)]
    assert statuses == [401] * 10 + [429]
    neighbour = f"{ipv6_network()}::1"
    assert (await login(edge_url, neighbour, "x@example.com")).status_code == 401


def test_client_keys() -> None:
    assert client_key("2001:db8:1:2:aaaa::1", ipv6_prefix=64) == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:2:aaaa::1", ipv6_prefix=48) == "2001:db8:1::/48"
    assert client_key("::ffff:192.0.2.7", ipv6_prefix=64) == "192.0.2.7"
    assert client_key("192.0.2.7", ipv6_prefix=64) == "192.0.2.7"
    assert client_key("unknown", ipv6_prefix=64) == "unknown"


async def test_parallel_guesses_cannot_all_pass_one_check(edge_url: str) -> None:
    guesser = client_address()
    answers = await asyncio.gather(*(login(edge_url, guesser, f"p{n}@example.com") for n in range(25)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * 10 + [429] * 15


async def test_a_hammered_email_waits_longer_with_each_failure(redis_prefix: str) -> None:
    redis = Redis.from_url(REDIS_URL)
    limits = LoginLimits(
        window_seconds=60,
        failures_per_client=10,
        failures_per_email_and_client=5,
        email_slowdown_after=3,
        email_window_seconds=900,
        email_first_delay_seconds=1.0,
        email_max_delay_seconds=6.0,
    )
    limiter = RateLimiter(redis, prefix=f"{redis_prefix}-unit", login_limits=limits, ipv6_prefix=64)
    waits: list[Any] = []
    try:
        for n in range(7):
            attempt = await limiter.login_attempt(address=f"192.0.2.{n + 1}", email="hammered@example.com")
            await attempt.failed()
            waits.append(await redis.pttl(limiter.name("login", "email-slow", attempt.email_digest)))
    finally:
        keys = [key async for key in redis.scan_iter(f"{redis_prefix}-unit:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
    assert waits[:2] == [-2, -2]  # below the threshold: no wait at all
    seconds = [round(w / 1000) for w in waits[2:]]
    assert seconds == [1, 2, 4, 6, 6]


async def test_sign_ins_that_succeed_count_nothing(http: httpx.AsyncClient, edge_url: str) -> None:
    owner = await register(http)
    address = client_address()
    for _ in range(12):
        assert (await login(edge_url, address, owner["user"]["email"], PASSWORD)).status_code == 200
    statuses = [(await login(edge_url, address, owner["user"]["email"])).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
