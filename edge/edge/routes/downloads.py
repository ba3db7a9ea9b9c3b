"""`/api/images/{id}/variants/{name}` and `/api/images/{id}/original`: an image's files by name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import Response, StreamingResponse

from edge.deps import BackendsDep, BearerDep, SettingsDep
from edge.downloads import IMMUTABLE_CACHE_CONTROL, ORIGINAL_HEADERS, OUTPUT_CONTENT, stream_download
from pixelflow.images.v1 import images_pb2

router = APIRouter(prefix="/api/images", tags=["images"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match)"},
    401: {"description": "Unauthenticated"},
}


@router.get(
    "/{image_id}/variants/{name}",
    response_class=StreamingResponse,
    responses={
        **_ERRORS,
        200: {
            "content": OUTPUT_CONTENT,
            "description": "The stored variant (`optimized` in the format of its options)",
        },
        404: {"description": "No such image (or another person's), or no such variant of it"},
        409: {"description": "Not rendered yet: the image is still queued or processing"},
    },
)
async def variant(
    image_id: str,
    name: str,
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A stored output by name (`optimized`, `thumbnail`, `w320`, `w640`, `w1280`, `w2048`), as soon
    as it is stored; cached as immutable, like `/optimized` (which is the variant `optimized`)."""
    call = backends.images.DownloadVariant(
        images_pb2.DownloadVariantRequest(id=image_id, name=name),
        metadata=bearer,
        timeout=settings.upload_timeout_seconds,
    )
    return await stream_download(call, if_none_match=if_none_match, headers={"Cache-Control": IMMUTABLE_CACHE_CONTROL})


@router.get(
    "/{image_id}/original",
    response_class=StreamingResponse,
    responses={
        **_ERRORS,
        200: {
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The uploaded bytes as stored, typed as sniffed at upload, as an attachment",
        },
        404: {"description": "No such image (or another person's)"},
    },
)
async def original(
    image_id: str,
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The original keeps what it came with (its location too, if it had one): offered only as a
    download, never rendered as a page (`Content-Security-Policy: sandbox`, `nosniff`)."""
    call = backends.images.DownloadOriginal(
        images_pb2.DownloadOriginalRequest(id=image_id), metadata=bearer, timeout=settings.upload_timeout_seconds
    )
    headers = {"Cache-Control": IMMUTABLE_CACHE_CONTROL, **ORIGINAL_HEADERS}
    return await stream_download(call, if_none_match=if_none_match, headers=headers, as_attachment=True)
