"""`/api/images`: streamed upload, the person's images, and the optimized file."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from starlette.requests import ClientDisconnect

from edge.deps import BackendsDep, BearerDep, SettingsDep
from edge.downloads import IMMUTABLE_CACHE_CONTROL, OUTPUT_CONTENT, stream_download
from edge.middleware import declared_length
from edge.multipart import FileUpload
from edge.options import document_options, form_options
from edge.settings import EdgeSettings
from edge.uploads import CLIENT_CLOSED_REQUEST, form_limits, send_upload
from pixelflow.images.v1 import images_pb2
from pixelflow.options import OPTION_FIELDS, options_message
from pixelflow.public import ImagePage, PublicImage, PublicOptions
from pixelflow.tokens import bearer_token

UPLOAD_PATH = "/api/images"
router = APIRouter(prefix=UPLOAD_PATH, tags=["images"])
log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Unauthenticated"},
    404: {"description": "No such image (or another person's)"},
}
# The `next_cursor` of a previous page, as issued: signed, so any other cursor is refused (422).
CURSOR_PATTERN = r"^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22})?$"
CURSOR_DOC = "the next_cursor of the previous page, unchanged (a cursor the server did not issue is 422)"
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def declared_body_size(request: Request) -> int:
    """The request's Content-Length (uvicorn reads no byte past it), or 0 for a chunked body."""
    return declared_length(request.headers.get("content-length", ""))


def document_upload_limits(openapi: dict[str, Any], settings: EdgeSettings) -> dict[str, Any]:
    """Writes the form's part limit into the document, so what it calls valid is what is accepted."""
    form = openapi["paths"][UPLOAD_PATH]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    form["maxProperties"] = settings.upload_max_parts
    document_options(form)
    return openapi


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicImage,
    openapi_extra=_UPLOAD_BODY,
    responses={
        **_ERRORS,
        413: {"description": "Over the size limit or the storage quota"},
        415: {"description": "Not a supported image"},
        422: {"description": "Bad form or image"},
    },
)
async def upload(request: Request, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Any:
    """Streams the `file` field to svc_images as it arrives; answers once it is stored and queued.

    The caller is verified before a byte of the body is read, and the form is bounded before it is
    parsed (`edge.multipart`)."""
    await backends.tokens.verify(bearer_token(dict(bearer).get("authorization")))
    form = FileUpload(
        request.headers.get("content-type", ""), request.stream(), form_limits(settings), fields=OPTION_FIELDS
    )
    try:
        await form.start()
        options = form_options(form.fields)
        image = await send_upload(
            backends.images,
            form,
            metadata=bearer,
            timeout=settings.upload_timeout_seconds,
            # The file is smaller than the whole body: a bound the quota can hold instead of the maximum.
            declared_size=declared_body_size(request),
            options=options,
        )
    except ClientDisconnect:
        # A person closing the tab mid-upload is normal; svc_images has been told to drop it.
        log.info("upload abandoned: the client closed the connection")
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    return PublicImage.from_message(image)


@router.post(
    "/{image_id}/conversions",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicImage,
    responses={**_ERRORS, 413: {"description": "The storage quota is used up"}, 422: {"description": "Bad options"}},
)
async def convert(
    image_id: str, options: PublicOptions, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep
) -> Any:
    """A new image of this one's original (shared, not copied), converted with `options`; this image is
    left as it is."""
    image = await backends.images.Convert(
        images_pb2.ConvertRequest(id=image_id, options=options_message(options.domain())),
        metadata=bearer,
        timeout=settings.grpc_timeout_seconds,
    )
    return PublicImage.from_message(image)


@router.get("", responses=_ERRORS)
async def list_images(
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str, Query(max_length=512, pattern=CURSOR_PATTERN, description=CURSOR_DOC)] = "",
) -> ImagePage:
    reply = await backends.images.ListImages(
        images_pb2.ListImagesRequest(page_size=limit, page_token=cursor),
        metadata=bearer,
        timeout=settings.grpc_timeout_seconds,
    )
    return ImagePage(
        items=[PublicImage.from_message(image) for image in reply.images], next_cursor=reply.next_page_token or None
    )


@router.get("/latest", responses=_ERRORS)
async def latest(backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> PublicImage:
    image = await backends.images.GetLatestImage(
        images_pb2.GetLatestImageRequest(), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return PublicImage.from_message(image)


@router.get("/{image_id}", responses=_ERRORS)
async def get_image(image_id: str, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> PublicImage:
    image = await backends.images.GetImage(
        images_pb2.GetImageRequest(id=image_id), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return PublicImage.from_message(image)


@router.get(
    "/{image_id}/optimized",
    response_class=StreamingResponse,
    responses={
        **_ERRORS,
        200: {
            "content": OUTPUT_CONTENT,
            "description": "The optimized result, in the format of its options (WebP by default)",
        },
        304: {"description": "Not modified"},
        409: {"description": "Not optimized yet"},
    },
)
async def optimized(
    image_id: str,
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    call = backends.images.DownloadOptimized(
        images_pb2.DownloadOptimizedRequest(id=image_id), metadata=bearer, timeout=settings.upload_timeout_seconds
    )
    return await stream_download(call, if_none_match=if_none_match, headers={"Cache-Control": IMMUTABLE_CACHE_CONTROL})
