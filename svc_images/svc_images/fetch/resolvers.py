"""Name resolution for URL imports, a replaceable part: a static map by default, so that no test,
fuzzer or demo sends a query or a request off the machine, and the OS's resolver when switched on.

A resolver is asked once per hop; the client then connects only to what it answered (see
`client.PinnedResolver`), so a name that changes its answer afterwards (DNS rebinding) changes nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Mapping, Sequence
from typing import Protocol

from pixelflow.errors import InvalidArgument
from svc_images.fetch.addresses import IPAddress


class Resolver(Protocol):
    async def resolve(self, name: str) -> Sequence[IPAddress]:
        """The addresses of `name` (lower case, no trailing dot); InvalidArgument when it has none."""
        ...


class StaticResolver:
    """Answers from a fixed map and never asks anyone: a name outside it has no address."""

    def __init__(self, hosts: Mapping[str, Sequence[IPAddress]]) -> None:
        self.hosts = {name.lower().rstrip("."): tuple(addresses) for name, addresses in hosts.items()}

    async def resolve(self, name: str) -> Sequence[IPAddress]:
        addresses = self.hosts.get(name)
        if not addresses:
            raise InvalidArgument(
                f"the host {name!r} is unknown: this server resolves only the names it is configured with"
            )
        return addresses


class SystemResolver:
    """The OS's resolver (`getaddrinfo`, as every other program here would resolve the name)."""

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds

    async def resolve(self, name: str) -> Sequence[IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except TimeoutError as exc:
            raise InvalidArgument(f"looking up the host {name!r} took too long") from exc
        except OSError as exc:
            raise InvalidArgument(f"the host {name!r} could not be found") from exc
        found: dict[IPAddress, None] = {}
        for family, *_, sockaddr in infos:
            if family in (socket.AF_INET, socket.AF_INET6):
                found[ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])] = None
        if not found:
            raise InvalidArgument(f"the host {name!r} has no address")
        return list(found)
