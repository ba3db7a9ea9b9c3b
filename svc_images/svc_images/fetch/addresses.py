"""Which addresses a URL import may connect to: a pure decision, resolved addresses in, verdict out.

Global unicast only. Every special-purpose range of the IANA registries is refused (loopback,
private, link-local and its cloud metadata address, carrier-grade NAT, multicast, unspecified,
reserved, documentation, benchmarking, unique-local), and so is an IPv6 address embedding a
refused IPv4 address (mapped, compatible, 6to4, NAT64), since a dual-stack socket or a translator
delivers it to that IPv4 address. Hosts are read the way the OS's `inet_aton` reads them, so
`2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` are all 127.0.0.1 and refused as such.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# (network, what a person is told). The first match names the reason.
REFUSED_IPV4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "an unspecified address"),
    (_V4("10.0.0.0/8"), "a private address"),
    (_V4("100.64.0.0/10"), "a carrier-grade NAT address"),
    (_V4("127.0.0.0/8"), "a loopback address"),
    (_V4("169.254.0.0/16"), "a link-local address (cloud metadata lives there)"),
    (_V4("172.16.0.0/12"), "a private address"),
    (_V4("192.0.0.0/24"), "a reserved address (IETF protocol assignments)"),
    (_V4("192.0.2.0/24"), "a documentation address"),
    (_V4("192.88.99.0/24"), "a reserved address (6to4 relay anycast)"),
    (_V4("192.168.0.0/16"), "a private address"),
    (_V4("198.18.0.0/15"), "a benchmarking address"),
    (_V4("198.51.100.0/24"), "a documentation address"),
    (_V4("203.0.113.0/24"), "a documentation address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V4("240.0.0.0/4"), "a reserved or broadcast address"),
)

IPV4_MAPPED = _V6("::ffff:0:0/96")
IPV4_COMPATIBLE = _V6("::/96")
SIX_TO_FOUR = _V6("2002::/16")
NAT64 = _V6("64:ff9b::/96")
GLOBAL_UNICAST = _V6("2000::/3")

REFUSED_IPV6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "an unspecified address"),
    (_V6("::1/128"), "a loopback address"),
    (_V6("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (_V6("100::/64"), "a discard-only address"),
    (_V6("2001::/32"), "a Teredo tunnel address"),
    (_V6("2001:2::/48"), "a benchmarking address"),
    (_V6("2001:10::/28"), "a reserved address (ORCHID)"),
    (_V6("2001:20::/28"), "a reserved address (ORCHIDv2)"),
    (_V6("2001:db8::/32"), "a documentation address"),
    (_V6("3fff::/20"), "a documentation address"),
    (_V6("fc00::/7"), "a unique-local address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V6("fec0::/10"), "a site-local address"),
    (_V6("ff00::/8"), "a multicast address"),
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # Why not, for a person: "127.0.0.1 is a loopback address".
    reason: str = ""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one delivers to: mapped, compatible, 6to4 or NAT64 (well-known prefix)."""
    if address in IPV4_MAPPED:
        return address.ipv4_mapped
    if address in SIX_TO_FOUR:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _refused_as(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv4Address):
        return next((reason for network, reason in REFUSED_IPV4 if address in network), None)
    plain = address if address.scope_id is None else ipaddress.IPv6Address(int(address))
    if (inner := embedded_ipv4(plain)) is not None:
        reason = _refused_as(inner)
        return None if reason is None else f"an IPv6 form of {inner}, {reason}"
    if (reason := next((reason for network, reason in REFUSED_IPV6 if plain in network), None)) is not None:
        return reason
    return None if plain in GLOBAL_UNICAST else "a reserved address (not global unicast)"


def _listed(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        plain = ipaddress.IPv6Address(int(address))  # without a scope id
        candidates.append(plain)
        if (inner := embedded_ipv4(plain)) is not None:
            candidates.append(inner)
    return any(c.version == n.version and c in n for c in candidates for n in networks)


def check_address(address: IPAddress, *, allowed_networks: Sequence[IPNetwork] = ()) -> Verdict:
    """Allowed when listed in `allowed_networks` (an operator's explicit choice), else when global."""
    if _listed(address, allowed_networks):
        return Verdict(True)
    reason = _refused_as(address)
    return Verdict(True) if reason is None else Verdict(False, f"{address} is {reason}")


def check_addresses(addresses: Sequence[IPAddress], *, allowed_networks: Sequence[IPNetwork] = ()) -> Verdict:
    """Every address a name resolved to must pass: the connection may go to any of them."""
    if not addresses:
        return Verdict(False, "the name resolved to no address")
    for address in addresses:
        verdict = check_address(address, allowed_networks=allowed_networks)
        if not verdict.allowed:
            return verdict
    return Verdict(True)


class BadHost(ValueError):
    """A host that is neither a name nor an address."""


_NUMBER = re.compile(r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$")
_NUMERIC_LOOKING = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def _number(part: str) -> int:
    if not _NUMBER.match(part):
        raise BadHost(f"{part!r} is not a number")
    if part[:2] in ("0x", "0X"):
        return int(part[2:], 16)
    if len(part) > 1 and part[0] == "0":
        return int(part, 8)
    return int(part)


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address `inet_aton` reads from `host` (1 to 4 parts, each decimal, 0-octal or 0x-hex; the
    last fills the remaining bytes), None for a name. A name whose last label is numeric is no name:
    it is refused, as a URL parser does."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # one trailing dot: the same address
    if not _NUMERIC_LOOKING.match(parts[-1]):
        return None
    if len(parts) > 4:
        raise BadHost(f"{host!r} is not a valid IPv4 address")
    try:
        numbers = [_number(p) for p in parts]
    except BadHost as exc:
        raise BadHost(f"{host!r} is not a valid IPv4 address") from exc
    last_bits = 8 * (5 - len(numbers))
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 1 << last_bits:
        raise BadHost(f"{host!r} is not a valid IPv4 address")
    value = numbers[-1]
    for index, n in enumerate(numbers[:-1]):
        value |= n << (24 - 8 * index)
    return ipaddress.IPv4Address(value)


def parse_host(host: str) -> IPAddress | None:
    """An address when `host` spells one (any IPv4 spelling, an IPv6 literal), None for a valid name."""
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise BadHost(f"{host!r} is not a valid IPv6 address") from exc
    if not host or len(host) > 253:
        raise BadHost("the host is empty or too long")
    if (address := parse_ipv4(host)) is not None:
        return address
    if not all(_LABEL.match(label) for label in host.lower().removesuffix(".").split(".")):
        raise BadHost(f"{host!r} is not a valid host name")
    return None
