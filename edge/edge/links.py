"""Temporary links as the edge serves them: `/api/links/{image}/{variant}?expires=&signature=`.

svc_images signs and checks them (it alone decides who may read which bytes, and holds no edge
secret); the edge only turns its `Link` into a URL and back. The URL carries no token and no user
id; changing any part of it makes a link svc_images never signed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from pixelflow.images.v1 import images_pb2
from pixelflow.links import VARIANT_NAMES_DOC, VARIANT_PATTERN

LINKS_PATH = "/api/links"
# What a link's response carries besides the file's own headers: no page it is opened from or
# linked from learns the link through `Referer`.
LINK_HEADERS = {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: str = Field(pattern=VARIANT_PATTERN, max_length=16, description=VARIANT_NAMES_DOC)
    expires_in: int | None = Field(
        None,
        ge=1,
        le=10**9,
        description=(
            "seconds the link lasts, rounded up to the link window (the same link within it); "
            "default 3600, from 60 to 604800 (svc_images' PIXELFLOW_IMAGES_LINK_* settings)"
        ),
    )


class TemporaryLink(BaseModel):
    url: str = Field(description="works without any Authorization header until expires_at, then answers 410")
    expires_at: str = Field(json_schema_extra={"format": "date-time"})


def link_path(link: images_pb2.Link) -> str:
    query = urlencode({"expires": link.expires, "signature": link.signature})
    return f"{LINKS_PATH}/{link.image_id}/{link.variant}?{query}"


def temporary_link(link: images_pb2.Link, *, base_url: str) -> TemporaryLink:
    """`base_url`: the edge's public origin (a setting), or the origin the request came to."""
    return TemporaryLink(
        url=f"{base_url.rstrip('/')}{link_path(link)}",
        expires_at=datetime.fromtimestamp(link.expires, UTC).isoformat(),
    )


def link_cache_control(expires: int, *, now: float) -> str:
    """Cached until the link expires, never past it: the URL itself changes with the expiry."""
    return f"private, max-age={max(0, int(expires - now))}, immutable"
