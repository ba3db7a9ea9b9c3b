"""Downloading a URL for an import: each hop's host resolved once and checked, the connection made
only to the checked addresses, the bytes handed over as they arrive.

aiohttp connects through a resolver of ours (`PinnedResolver`) that answers only with the addresses
checked for this hop, so no second lookup ever happens (DNS rebinding changes nothing). The URL
keeps its host name: TLS sends it as SNI and verifies the certificate against it, HTTP sends it as
`Host`. Redirects are followed by hand, each target checked like the first URL.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from pixelflow.errors import InvalidArgument
from svc_images.fetch.addresses import BadHost, IPAddress, IPNetwork, check_addresses, parse_host
from svc_images.fetch.resolvers import Resolver

REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
USER_AGENT = "pixelflow-url-import/1"


@dataclass(frozen=True)
class FetchPolicy:
    allowed_networks: tuple[IPNetwork, ...] = ()
    # True while real DNS is off: nothing but loopback is ever connected to, allow-list or not.
    loopback_only: bool = True
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 10.0
    total_timeout_seconds: float = 60.0
    max_redirects: int = 3
    max_url_length: int = 2048


@dataclass(frozen=True)
class Target:
    url: URL
    # The lower-case host the resolver was asked about (None: the URL names an address).
    name: str | None
    addresses: tuple[IPAddress, ...]


@dataclass
class Download:
    url: URL  # where the bytes came from, after redirects
    declared_size: int | None
    chunks: AsyncIterator[bytes]

    @property
    def filename(self) -> str:
        return self.url.name or self.url.host or "download"


class PinnedResolver(AbstractResolver):
    """aiohttp's resolver for one download: the addresses checked for each host, nothing else."""

    def __init__(self) -> None:
        self.pins: dict[str, tuple[IPAddress, ...]] = {}

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_UNSPEC) -> list[ResolveResult]:
        addresses = self.pins.get(host.lower().rstrip("."), ())
        if not addresses:
            raise OSError(f"{host} was not checked before connecting")
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class FetchRefused(InvalidArgument):
    """The URL, or what its server did, is why: the caller's argument, said in the caller's terms."""


def _refused(url: URL | str, why: str) -> FetchRefused:
    return FetchRefused(f"cannot import {url}: {why}")


class UrlFetcher:
    def __init__(self, *, policy: FetchPolicy, resolver: Resolver, ssl_context: ssl.SSLContext | None = None) -> None:
        self.policy = policy
        self.resolver = resolver
        # Verified against the URL's host name (aiohttp's default); a test passes one trusting its own CA.
        self.ssl_context = ssl_context or ssl.create_default_context()

    def parse(self, raw: str) -> URL:
        """The URL when it may be fetched at all: http(s), a host, no credentials."""
        if len(raw) > self.policy.max_url_length:
            raise InvalidArgument(f"the URL is longer than {self.policy.max_url_length} characters", field="url")
        try:
            url = URL(raw.strip())
        except (ValueError, TypeError) as exc:
            raise InvalidArgument("the URL is not valid", field="url") from exc
        if url.scheme not in ("http", "https"):
            raise _refused(raw, "only http and https URLs can be imported")
        if not url.raw_host:
            raise _refused(raw, "the URL has no host")
        if url.raw_user is not None or url.raw_password is not None:
            raise _refused(raw, "URLs with a user name or password are refused")
        return url

    async def target(self, url: URL) -> Target:
        """Resolves the URL's host once and checks every address it has."""
        host = (url.raw_host or "").lower()
        try:
            address = parse_host(host)
        except BadHost as exc:
            raise _refused(url, str(exc)) from exc
        if address is not None:
            name = None
            addresses: tuple[IPAddress, ...] = (address,)
            # Written out plainly: aiohttp refuses legacy spellings, and connects to this address.
            url = url.with_host(str(address)) if address.version == 4 else url
        else:
            name = host.rstrip(".")
            addresses = tuple(await self.resolver.resolve(name))
        verdict = check_addresses(addresses, allowed_networks=self.policy.allowed_networks)
        if not verdict.allowed:
            raise _refused(url, f"{verdict.reason}, which imports may not reach")
        if self.policy.loopback_only and not all(a.is_loopback for a in addresses):
            raise _refused(url, "this server only fetches from its own machine (real DNS is switched off)")
        return Target(url=url, name=name, addresses=addresses)

    @asynccontextmanager
    async def download(self, raw_url: str) -> AsyncIterator[Download]:
        """The response body of `raw_url` after at most `max_redirects` checked redirects."""
        policy = self.policy
        loop = asyncio.get_running_loop()
        deadline = loop.time() + policy.total_timeout_seconds
        pinned = PinnedResolver()
        connector = aiohttp.TCPConnector(resolver=pinned, use_dns_cache=False, ssl=self.ssl_context, limit=1)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=policy.connect_timeout_seconds,
            sock_connect=policy.connect_timeout_seconds,
            sock_read=policy.read_timeout_seconds,
        )
        # No proxy from the environment (it would look the name up again); the raw bytes are counted,
        # not what a compressed body would inflate to.
        async with aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            trust_env=False,
            auto_decompress=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Accept": "image/*"},
        ) as session:
            url = self.parse(raw_url)
            for hop in range(policy.max_redirects + 1):
                try:
                    async with asyncio.timeout_at(deadline):
                        target = await self.target(url)
                except TimeoutError as exc:
                    raise _refused(url, f"looking up {url.host} took too long") from exc
                if target.name is not None:
                    pinned.pins[target.name] = target.addresses
                response = await self._request(session, target.url, deadline)
                if response.status not in REDIRECTS:
                    break
                location = response.headers.get("Location", "")
                response.close()  # its body is not wanted; the next hop opens its own connection
                if not location:
                    raise _refused(raw_url, f"the server answered {response.status} without a Location")
                if hop == policy.max_redirects:
                    raise _refused(raw_url, f"it redirects more than {policy.max_redirects} times")
                try:
                    url = self.parse(str(target.url.join(URL(location))))
                except ValueError as exc:
                    raise _refused(raw_url, "it redirects to an invalid URL") from exc
            try:
                if not 200 <= response.status < 300:
                    raise _refused(target.url, f"the server answered {response.status} {response.reason or ''}".strip())
                yield Download(
                    url=target.url, declared_size=response.content_length, chunks=self._body(response, deadline)
                )
            finally:
                # Closed, not returned to a pool: a body cut at the size limit must stop arriving.
                response.close()

    async def _request(self, session: aiohttp.ClientSession, url: URL, deadline: float) -> aiohttp.ClientResponse:
        try:
            async with asyncio.timeout_at(deadline):
                return await session.get(url, allow_redirects=False)
        except aiohttp.ClientConnectorCertificateError as exc:
            raise _refused(url, f"its TLS certificate is not valid ({exc.certificate_error})") from exc
        except aiohttp.ClientSSLError as exc:
            raise _refused(url, "the TLS connection failed") from exc
        except aiohttp.ClientConnectorError as exc:
            raise _refused(url, f"could not connect to {url.host} ({exc.strerror or 'refused'})") from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise _refused(
                url, f"could not connect to {url.host} within {self.policy.connect_timeout_seconds:g} s"
            ) from exc
        except aiohttp.ServerTimeoutError as exc:
            raise _refused(url, "the server took too long to answer") from exc
        except TimeoutError as exc:
            raise _refused(url, f"the download took longer than {self.policy.total_timeout_seconds:g} s") from exc
        except aiohttp.ClientError as exc:
            raise _refused(url, f"the request failed ({type(exc).__name__})") from exc

    async def _body(self, response: aiohttp.ClientResponse, deadline: float) -> AsyncIterator[bytes]:
        """The body as it arrives; every wait bounded (no timeout scope spans a `yield`)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with asyncio.timeout(max(deadline - loop.time(), 0)):
                    chunk = await response.content.read(CHUNK_BYTES)
            except aiohttp.ServerTimeoutError as exc:
                raise _refused(
                    response.url, f"the server sent nothing for {self.policy.read_timeout_seconds:g} s"
                ) from exc
            except TimeoutError as exc:
                raise _refused(
                    response.url, f"the download took longer than {self.policy.total_timeout_seconds:g} s"
                ) from exc
            except aiohttp.ClientError as exc:
                raise _refused(response.url, f"the download broke off ({type(exc).__name__})") from exc
            if not chunk:
                return
            yield chunk
