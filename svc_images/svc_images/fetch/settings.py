"""The settings of URL imports, mixed into `ImagesSettings` (so `PIXELFLOW_IMAGES_FETCH_*`)."""

from __future__ import annotations

from pydantic import Field, IPvAnyAddress, IPvAnyNetwork, field_validator

from pixelflow.runtime.settings import PixelflowSettings


def _loopback_only() -> dict[str, list[IPvAnyAddress]]:
    return {"localhost": ["127.0.0.1", "::1"]}  # type: ignore[list-item]  # pydantic validates the strings


class FetchSettings(PixelflowSettings):
    fetch_allowed_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="JSON list of CIDRs a URL import may reach despite the SSRF rules (tests, an intranet)",
    )
    fetch_real_dns: bool = Field(
        False, description="resolve URL hosts with the OS's DNS; off: only through FETCH_STATIC_HOSTS, nothing leaves"
    )
    fetch_static_hosts: dict[str, list[IPvAnyAddress]] = Field(
        default_factory=_loopback_only,
        description="JSON map of host name to loopback addresses, the only names resolved while real DNS is off",
    )
    fetch_connect_timeout_seconds: float = Field(5.0, gt=0, description="URL import: longest lookup and connect")
    fetch_read_timeout_seconds: float = Field(10.0, gt=0, description="URL import: longest wait for the next bytes")
    fetch_total_timeout_seconds: float = Field(60.0, gt=0, description="URL import: longest the whole download takes")
    fetch_max_redirects: int = Field(3, ge=0, le=10, description="URL import: most redirects followed, each checked")
    fetch_max_url_length: int = Field(2048, ge=16, description="URL import: longest URL accepted")

    @field_validator("fetch_static_hosts")
    @classmethod
    def _only_loopback(cls, hosts: dict[str, list[IPvAnyAddress]]) -> dict[str, list[IPvAnyAddress]]:
        # The map exists so that nothing leaves the machine; an intranet uses real DNS and the allow-list.
        for name, addresses in hosts.items():
            if not addresses or not all(a.is_loopback for a in addresses):
                raise ValueError(f"{name!r} must map to loopback addresses only")
        return hosts
