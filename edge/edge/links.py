"""Temporary links as the edge serves them: `/api/links/{image}/{variant}?expires=&signature=`.

svc_images signs and checks them (it alone decides who may read which bytes, and holds no edge
secret); the edge only turns its `Link` into a URL and back. The URL carries no token and no user
id; changing any part of it makes a link svc_images never signed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from edge.errors import field_error
from edge.settings import EdgeSettings
from pixelflow.images.v1 import images_pb2
from pixelflow.links import VARIANT_NAMES_DOC, VARIANT_PATTERN

LINKS_PATH = "/api/links"
# What a link's response carries besides the file's own headers: no page it is opened from or
# linked from learns the link through `Referer`.
LINK_HEADERS = {"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: str = Field(pattern=VARIANT_PATTERN, max_length=16, description=VARIANT_NAMES_DOC)
    # Its bounds and default are settings: written into the document by `document_link_limits`.
    expires_in: int | None = Field(
        None, description="seconds the link lasts, rounded up to the link window (the same link within it)"
    )


class TemporaryLink(BaseModel):
    url: str = Field(description="works without any Authorization header until expires_at, then answers 410")
    expires_at: str = Field(json_schema_extra={"format": "date-time"})


def lifetime(requested: int | None, settings: EdgeSettings) -> int:
    """The lifetime asked for, within the settings' bounds (422 otherwise), or the default."""
    if requested is None:
        return settings.link_default_seconds
    if not settings.link_min_seconds <= requested <= settings.link_max_seconds:
        message = f"must be between {settings.link_min_seconds} and {settings.link_max_seconds} seconds"
        raise RequestValidationError(field_error("expires_in", message))
    return requested


def document_link_limits(openapi: dict[str, Any], settings: EdgeSettings) -> dict[str, Any]:
    """Writes the lifetime's bounds into the document, so what it calls valid is what is accepted."""
    field = openapi["components"]["schemas"]["LinkRequest"]["properties"]["expires_in"]
    bounds = {"minimum": settings.link_min_seconds, "maximum": settings.link_max_seconds}
    field["anyOf"] = [{"type": "integer", **bounds}, {"type": "null"}]
    field["default"] = None
    field["description"] = (
        f"seconds the link lasts (null: {settings.link_default_seconds}), rounded up to the link window: "
        "asked again within the window, the same link"
    )
    return openapi


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
