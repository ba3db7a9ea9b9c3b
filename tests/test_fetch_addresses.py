"""The SSRF address check on its own: resolved addresses (or a URL's host) in, decision out. No
request is sent anywhere: refusing a range is proven on the check, never by connecting to it."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from svc_images.fetch.addresses import BadHost, check_address, check_addresses, parse_host

REFUSED = {
    "loopback": ["127.0.0.1", "127.255.255.254", "::1"],
    "private": ["10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1"],
    "link-local": ["169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0", "febf::1"],
    "carrier-grade NAT": ["100.64.0.1", "100.127.255.254"],
    "multicast": ["224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1"],
    "unspecified": ["0.0.0.0", "0.1.2.3", "::"],
    "reserved or broadcast": ["240.0.0.1", "255.255.255.255", "192.0.0.8", "192.88.99.1"],
    "documentation": ["192.0.2.1", "198.51.100.7", "203.0.113.9", "2001:db8::1", "3fff::1"],
    "benchmarking": ["198.18.0.1", "198.19.255.255", "2001:2::1"],
    "unique-local": ["fc00::1", "fd12:3456:789a::1"],
    "IPv4-mapped": ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0"],
    "IPv4-compatible": ["::127.0.0.1", "::10.1.2.3", "::169.254.169.254"],
    "6to4": ["2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::"],
    "NAT64": ["64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::10.0.0.1", "64:ff9b:1::1"],
    "other special IPv6": ["2001::1", "100::1", "fec0::1", "2001:10::1", "4000::1"],
}
ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1"]


@pytest.mark.parametrize(("kind", "address"), [(kind, a) for kind, addresses in REFUSED.items() for a in addresses])
def test_special_purpose_addresses_are_refused_with_a_reason(kind: str, address: str) -> None:
    verdict = check_address(ipaddress.ip_address(address))
    assert not verdict.allowed, kind
    assert verdict.reason.startswith(str(ipaddress.ip_address(address)))


def test_reasons_name_the_range() -> None:
    assert "loopback" in check_address(ipaddress.ip_address("127.0.0.1")).reason
    assert "cloud metadata" in check_address(ipaddress.ip_address("169.254.169.254")).reason
    assert "carrier-grade NAT" in check_address(ipaddress.ip_address("100.64.0.1")).reason
    mapped = check_address(ipaddress.ip_address("::ffff:169.254.169.254")).reason
    assert "IPv6 form of 169.254.169.254" in mapped
    assert "link-local" in mapped


@pytest.mark.parametrize("address", ALLOWED)
def test_global_unicast_addresses_are_allowed(address: str) -> None:
    assert check_address(ipaddress.ip_address(address)).allowed


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f000001", "127.0.0.1"),  # hex
        ("017700000001", "127.0.0.1"),  # octal
        ("0x7f.1", "127.0.0.1"),  # hex, short
        ("0177.0.0.1", "127.0.0.1"),  # octal first part
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # short: the last part fills the remaining bytes
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),  # a trailing dot
        ("0", "0.0.0.0"),
        ("0x0", "0.0.0.0"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0300.0250.1.1", "192.168.1.1"),
        ("134744072", "8.8.8.8"),
    ],
)
def test_ipv4_spellings_are_read_as_the_os_reads_them(spelling: str, address: str) -> None:
    parsed = parse_host(spelling)
    assert parsed == ipaddress.ip_address(address)
    assert check_address(parsed).allowed is (address == "8.8.8.8")


@pytest.mark.parametrize(
    "spelling",
    [
        "2130706433",
        "0x7f000001",
        "017700000001",
        "0x7f.1",
        "0177.0.0.1",
        "127.1",
        "127.0.1",
        "0",
        "0xA9.0xFE.0xA9.0xFE",
        "10.1",
        "192.168.257",
        "0300.0250.1.1",
        "134744072",
        "1.2.3.4",
        "00",
        "255.255.255.255",
        "4294967295",
    ],
)
def test_the_spellings_agree_with_the_c_library(spelling: str) -> None:
    """`inet_aton` only parses (no lookup): what the OS makes of the spelling is what is checked."""
    assert parse_host(spelling) == ipaddress.IPv4Address(socket.inet_aton(spelling))


@pytest.mark.parametrize(
    "spelling", ["256.0.0.1", "1.2.3.4.5", "0x100.1", "09.1.1.1", "08", "0x", "4294967296", "1.16777216"]
)
def test_spellings_the_c_library_refuses_are_refused(spelling: str) -> None:
    with pytest.raises(OSError, match="illegal IP address"):
        socket.inet_aton(spelling)
    with pytest.raises(BadHost):
        parse_host(spelling)


@pytest.mark.parametrize("host", ["::ffff:7f00:1", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:7f00:0001", "::1", "[::1]"])
def test_ipv6_literals_are_addresses(host: str) -> None:
    if host.startswith("["):
        with pytest.raises(BadHost):
            parse_host(host)
        return
    parsed = parse_host(host)
    assert parsed is not None
    assert not check_address(parsed).allowed


@pytest.mark.parametrize(
    "host", ["1.2.3.4.5", "256.0.0.1", "0x100.1", "09.1.1.1", "08", "foo.123", "a..b", "ex ample", ""]
)
def test_malformed_hosts_are_refused(host: str) -> None:
    with pytest.raises(BadHost):
        parse_host(host)


@pytest.mark.parametrize("host", ["example.com", "images.example.org.", "xn--n-nga1b.de", "localhost", "123.example"])
def test_names_are_left_to_the_resolver(host: str) -> None:
    assert parse_host(host) is None


def test_the_allow_list_admits_its_networks_and_their_ipv6_forms_only() -> None:
    allowed = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("fd00:1::/64")]
    for address in ("127.0.0.1", "::ffff:127.0.0.1", "fd00:1::5"):
        assert check_address(ipaddress.ip_address(address), allowed_networks=allowed).allowed
    for address in ("127.0.0.2", "10.0.0.1", "fd00:2::5", "::1"):
        assert not check_address(ipaddress.ip_address(address), allowed_networks=allowed).allowed


def test_every_resolved_address_must_pass() -> None:
    public, private = ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("10.0.0.1")
    assert check_addresses([public]).allowed
    verdict = check_addresses([public, private])
    assert not verdict.allowed
    assert "10.0.0.1 is a private address" in verdict.reason
    assert not check_addresses([]).allowed
