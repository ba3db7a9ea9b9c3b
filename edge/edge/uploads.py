"""One upload's trip to svc_images: the form's file streamed over `Images/Upload`, and the reason
it was refused, whoever refused it (the form, the client leaving, or the service mid-stream)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc

from edge.multipart import FileUpload, FormLimits
from edge.settings import EdgeSettings
from pixelflow.images.v1 import images_pb2, images_pb2_grpc

# nginx's status for a request whose client went away before the answer; nobody reads it.
CLIENT_CLOSED_REQUEST = 499


def form_limits(settings: EdgeSettings) -> FormLimits:
    return FormLimits(
        max_parts=settings.upload_max_parts,
        max_bytes_before_file=settings.upload_max_bytes_before_file,
        max_framing_bytes=settings.upload_max_framing_bytes,
        deadline_seconds=settings.upload_form_deadline_seconds,
    )


async def send_upload(
    images: images_pb2_grpc.ImagesStub, form: FileUpload, *, metadata: tuple[tuple[str, str], ...], timeout: float
) -> images_pb2.Image:
    """The stored image; raises the body's own error (bad form, limit, client gone) when reading
    the body failed, else the service's status."""
    failure: list[Exception] = []

    async def messages() -> AsyncIterator[images_pb2.UploadRequest]:
        meta = images_pb2.UploadMetadata(filename=form.filename, content_type=form.content_type)
        yield images_pb2.UploadRequest(metadata=meta)
        try:
            async for chunk in form.chunks():
                yield images_pb2.UploadRequest(chunk=chunk)
        except Exception as exc:
            # Raising here cancels the call, so svc_images stores nothing of a broken form.
            failure.append(exc)
            raise

    call = images.Upload(messages(), metadata=metadata, timeout=timeout)
    try:
        image: images_pb2.Image = await call
    except grpc.aio.AioRpcError as exc:
        if failure:
            raise failure[0] from exc
        raise
    except asyncio.CancelledError:
        if failure:
            raise failure[0] from None
        call.cancel()
        raise
    return image
