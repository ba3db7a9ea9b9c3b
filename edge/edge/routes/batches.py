"""`/api/batches`: many files uploaded in one request with the same options, followed by the batch's
id, and downloaded as one ZIP of their results.

Each file streams to svc_images as its own `Upload` (naming the batch) while the body arrives, one
after the other: memory does not grow with the number or size of the files. A refused file is
reported in the answer with its reason; the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from edge.batch_form import BatchForm
from edge.deps import BackendsDep, BearerDep, SettingsDep
from edge.multipart import FormLimits
from edge.options import document_options, form_options
from edge.routes.account import _chunks
from edge.routes.images import CURSOR_DOC, CURSOR_PATTERN, declared_body_size
from edge.settings import EdgeSettings
from edge.uploads import CLIENT_CLOSED_REQUEST, send_upload
from edge.zipstream import ZipMember, zip_stream
from pixelflow.errors import remote_error
from pixelflow.images.v1 import images_pb2
from pixelflow.options import OPTION_FIELDS
from pixelflow.protobuf import datetime_from
from pixelflow.public import PublicImage, PublicOptions
from pixelflow.tokens import bearer_token

BATCHES_PATH = "/api/batches"
router = APIRouter(prefix=BATCHES_PATH, tags=["batches"])
log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Unauthenticated"},
    404: {"description": "No such batch (or another person's)"},
}
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        },
    }
}


class RefusedFile(BaseModel):
    filename: str
    detail: str = Field(description="why this file was refused (the others of the batch were not)")


class PublicBatch(BaseModel):
    id: str
    total: int = Field(description="files sent in the batch: queued + processing + done + failed")
    created_at: datetime | None
    options: PublicOptions | None
    queued: int
    processing: int
    done: int
    failed: int = Field(description="images that failed, and files refused at upload")
    images: list[PublicImage] = Field(description="oldest first (empty in a list of batches)")

    @classmethod
    def from_message(cls, batch: images_pb2.Batch) -> PublicBatch:
        return cls(
            id=batch.id,
            total=batch.total,
            created_at=datetime_from(batch.created_at, present=batch.HasField("created_at")),
            options=PublicOptions.from_message(batch.options) if batch.HasField("options") else None,
            queued=batch.queued,
            processing=batch.processing,
            done=batch.done,
            failed=batch.failed,
            images=[PublicImage.from_message(image) for image in batch.images],
        )


class CreatedBatch(BaseModel):
    id: str
    total: int = Field(description="files sent: images stored, plus files refused")
    created_at: datetime | None
    options: PublicOptions | None
    images: list[PublicImage]
    refused: list[RefusedFile]


class BatchPage(BaseModel):
    items: list[PublicBatch]
    next_cursor: str | None


def batch_form_limits(settings: EdgeSettings) -> FormLimits:
    return FormLimits(
        # Every file and option field, and one empty part's worth of slack.
        max_parts=settings.batch_max_files + len(OPTION_FIELDS) + 1,
        max_bytes_before_file=settings.upload_max_bytes_before_file,
        max_part_header_bytes=settings.upload_max_part_header_bytes,
        max_framing_bytes=settings.upload_max_framing_bytes,
        deadline_seconds=settings.upload_form_deadline_seconds,
    )


def document_batch_limits(openapi: dict[str, Any], settings: EdgeSettings) -> dict[str, Any]:
    form = openapi["paths"][BATCHES_PATH]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    form["properties"]["file"]["maxItems"] = settings.batch_max_files
    document_options(form)
    return openapi


def _reason(exc: grpc.aio.AioRpcError) -> str:
    return remote_error(exc).message


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedBatch,
    openapi_extra=_BATCH_BODY,
    responses={
        401: {"description": "Unauthenticated"},
        413: {"description": "The body is over the batch's size limit"},
        415: {"description": "Not a multipart form"},
        422: {"description": "Bad form or options (a form broken after a file: the files before stay in the batch)"},
    },
)
async def create_batch(request: Request, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Any:
    """Options first, then up to `batch_max_files` `file` fields, each stored as it streams in."""
    await backends.tokens.verify(bearer_token(dict(bearer).get("authorization")))
    form = BatchForm(
        request.headers.get("content-type", ""),
        request.stream(),
        batch_form_limits(settings),
        max_files=settings.batch_max_files,
        fields=OPTION_FIELDS,
    )
    declared = declared_body_size(request)
    try:
        await form.start()
        options = form_options(form.fields)
        batch = await backends.images.CreateBatch(
            images_pb2.CreateBatchRequest(options=options), metadata=bearer, timeout=settings.grpc_timeout_seconds
        )
        images: list[PublicImage] = []
        refused: list[RefusedFile] = []
        while True:
            # A broken form (too many files, a field after a file) is the request's error, 422:
            # the files stored before it stay in the batch (GET /api/batches lists it).
            file = await form.next_file()
            if file is None:
                break
            try:
                image = await send_upload(
                    backends.images,
                    file,
                    metadata=bearer,
                    timeout=settings.upload_timeout_seconds,
                    # What is left of the body bounds this file: the quota holds no more for it.
                    declared_size=form.at_most(declared),
                    options=options,
                    batch_id=batch.id,
                )
            except grpc.aio.AioRpcError as exc:
                refused.append(RefusedFile(filename=file.filename, detail=_reason(exc)))
                continue
            images.append(PublicImage.from_message(image))
    except ClientDisconnect:
        log.info("batch upload abandoned: the client closed the connection")
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    return CreatedBatch(
        id=batch.id,
        total=len(images) + len(refused),
        created_at=datetime_from(batch.created_at, present=batch.HasField("created_at")),
        options=PublicOptions.from_message(batch.options) if batch.HasField("options") else None,
        images=images,
        refused=refused,
    )


@router.get("", responses=_ERRORS)
async def list_batches(
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str, Query(max_length=512, pattern=CURSOR_PATTERN, description=CURSOR_DOC)] = "",
) -> BatchPage:
    """The person's batches, newest first, with their counts (not their images)."""
    reply = await backends.images.ListBatches(
        images_pb2.ListBatchesRequest(page_size=limit, page_token=cursor),
        metadata=bearer,
        timeout=settings.grpc_timeout_seconds,
    )
    return BatchPage(
        items=[PublicBatch.from_message(batch) for batch in reply.batches], next_cursor=reply.next_page_token or None
    )


@router.get("/{batch_id}", responses=_ERRORS)
async def get_batch(batch_id: str, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> PublicBatch:
    batch = await backends.images.GetBatch(
        images_pb2.GetBatchRequest(id=batch_id), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return PublicBatch.from_message(batch)


async def _members(call: Any, first: Any) -> AsyncIterator[ZipMember]:
    """The archive's members from the stream (an entry, then its chunks), read once, in order."""
    message = first
    while message is not grpc.aio.EOF:
        image = message.entry.image
        modified = datetime_from(image.processed_at, present=image.HasField("processed_at")) or datetime.now(UTC)
        following: list[Any] = []
        yield ZipMember(path=message.entry.path, modified_at=modified, chunks=_chunks(call, following))
        assert following, "the ZIP writer moved on before the member's end"
        message = following[0]


@router.get(
    "/{batch_id}/archive",
    response_class=StreamingResponse,
    responses={**_ERRORS, 200: {"content": {"application/zip": {}}, "description": "Every finished result"}},
)
async def archive(batch_id: str, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Response:
    """A ZIP of every finished result, named after the originals with the result's extension, built
    while it is sent."""
    call = backends.images.ExportBatch(
        images_pb2.ExportBatchRequest(id=batch_id), metadata=bearer, timeout=settings.export_timeout_seconds
    )
    # Before the 200: another person's batch is still a 404.
    first = await call.read()

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in zip_stream(_members(call, first)):
                yield chunk
        finally:
            call.cancel()

    headers = {"Content-Disposition": f'attachment; filename="batch-{batch_id}.zip"', "Cache-Control": "no-store"}
    return StreamingResponse(body(), media_type="application/zip", headers=headers)
