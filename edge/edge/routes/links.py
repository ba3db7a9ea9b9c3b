"""Temporary links: `POST /api/images/{id}/links` makes one; `GET /api/links/...` serves it to
anyone holding it, without a token, until it expires (410)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import Response, StreamingResponse

from edge.deps import BackendsDep, BearerDep, SettingsDep
from edge.downloads import ORIGINAL_HEADERS, stream_download
from edge.links import (
    LINK_HEADERS,
    LINKS_PATH,
    LinkRequest,
    TemporaryLink,
    lifetime,
    link_cache_control,
    temporary_link,
)
from pixelflow.images.v1 import images_pb2
from pixelflow.links import ORIGINAL

router = APIRouter(tags=["links"])

# The signature as svc_images writes it: 32 bytes, base64url without padding.
SIGNATURE_PATTERN = r"^[A-Za-z0-9_-]{43}$"


@router.post(
    "/api/images/{image_id}/links",
    status_code=status.HTTP_201_CREATED,
    responses={
        401: {"description": "Unauthenticated"},
        404: {"description": "No such image (or another person's), or no such variant of it"},
        409: {"description": "The variant is not rendered yet: the image is still queued or processing"},
        422: {"description": "Unknown variant name, or a lifetime out of bounds"},
    },
)
async def create_link(
    image_id: str,
    body: LinkRequest,
    request: Request,
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
) -> TemporaryLink:
    """A URL to one file of the image that needs no Authorization header until `expires_at`.
    Asked again for the same variant within the link window, the same URL (caches keep working)."""
    link = await backends.images.CreateLink(
        images_pb2.CreateLinkRequest(
            id=image_id, variant=body.variant, expires_in_seconds=lifetime(body.expires_in, settings)
        ),
        metadata=bearer,
        timeout=settings.grpc_timeout_seconds,
    )
    return temporary_link(link, base_url=settings.public_url or str(request.base_url))


@router.get(
    f"{LINKS_PATH}/{{image_id}}/{{variant}}",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The file; the original as an attachment",
        },
        304: {"description": "Not modified (If-None-Match)"},
        404: {"description": "No such link (altered), or its image no longer exists"},
        409: {"description": "The image is being rendered again and this variant is not stored yet"},
        410: {"description": "The link has expired"},
        422: {"description": "Not a link's form"},
    },
)
async def open_link(
    image_id: str,
    variant: str,
    backends: BackendsDep,
    settings: SettingsDep,
    expires: Annotated[int, Query(ge=0, le=2**62)],
    signature: Annotated[str, Query(pattern=SIGNATURE_PATTERN)],
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Needs no Authorization header: the signature is the credential. svc_images checks it, and
    that the image still exists, on every request."""
    call = backends.images.DownloadLink(
        images_pb2.DownloadLinkRequest(image_id=image_id, variant=variant, expires=expires, signature=signature),
        timeout=settings.upload_timeout_seconds,
    )
    headers: dict[str, Any] = {**LINK_HEADERS}
    headers["Cache-Control"] = link_cache_control(expires, now=datetime.now(UTC).timestamp())
    if variant == ORIGINAL:
        headers |= ORIGINAL_HEADERS
    return await stream_download(call, if_none_match=if_none_match, headers=headers, as_attachment=variant == ORIGINAL)
