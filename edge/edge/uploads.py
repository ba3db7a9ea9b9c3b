"""One upload's trip to svc_images: the form's file streamed over `Images/Upload`, and the reason
it was refused, whoever refused it (the form, the client leaving, or the service mid-stream)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from typing import Any, Protocol, TypeVar

import grpc

from edge.multipart import FormLimits
from edge.settings import EdgeSettings
from pixelflow.images.v1 import images_pb2, images_pb2_grpc

T = TypeVar("T")
# What grpc reports when a write fails because the server has already ended the call.
CORE_WRITE_FAILURE = "Internal error from Core"

# nginx's status for a request whose client went away before the answer; nobody reads it.
CLIENT_CLOSED_REQUEST = 499


def _settled(step: Coroutine[Any, Any, T]) -> T | None:
    """The value of a coroutine that returns without waiting (a finished call's status), else None."""
    try:
        step.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    step.close()
    return None


class StatusWitness:
    """Keeps every status a client-streaming call is given, as it is given.

    When svc_images refuses an upload while the edge is still writing, the failed write replaces
    the call's status with INTERNAL "Internal error from Core", before or after the service's own
    status arrives. A done callback sees each of them at the moment it is set; the service's wins.
    """

    def __init__(self, call: grpc.aio.Call) -> None:
        self._seen: list[grpc.aio.AioRpcError] = []
        call.add_done_callback(self._witness)

    def _witness(self, call: grpc.aio.Call) -> None:
        code = _settled(call.code())
        if code is None or code is grpc.StatusCode.OK:
            return
        self._seen.append(
            grpc.aio.AioRpcError(
                code,
                _settled(call.initial_metadata()) or grpc.aio.Metadata(),
                _settled(call.trailing_metadata()) or grpc.aio.Metadata(),
                _settled(call.details()),
            )
        )

    def real_error(self, reported: grpc.aio.AioRpcError) -> grpc.aio.AioRpcError:
        """The service's own status when `reported` only says that a write failed."""
        if reported.code() is not grpc.StatusCode.INTERNAL or reported.details() != CORE_WRITE_FAILURE:
            return reported
        own = [error for error in self._seen if error.details() != CORE_WRITE_FAILURE]
        return own[0] if own else reported


class UploadSource(Protocol):
    """A file part of a form (`FileUpload`, or one file of a batch)."""

    filename: str
    content_type: str

    def chunks(self) -> AsyncIterator[bytes]: ...


def form_limits(settings: EdgeSettings) -> FormLimits:
    return FormLimits(
        max_parts=settings.upload_max_parts,
        max_bytes_before_file=settings.upload_max_bytes_before_file,
        max_part_header_bytes=settings.upload_max_part_header_bytes,
        max_framing_bytes=settings.upload_max_framing_bytes,
        deadline_seconds=settings.upload_form_deadline_seconds,
    )


async def send_upload(
    images: images_pb2_grpc.ImagesStub,
    form: UploadSource,
    *,
    metadata: tuple[tuple[str, str], ...],
    timeout: float,
    declared_size: int = 0,
    options: images_pb2.ProcessingOptions | None = None,
    batch_id: str = "",
) -> images_pb2.Image:
    """The stored image; raises the body's own error (bad form, limit, client gone) when reading
    the body failed, else the service's status."""
    failure: list[Exception] = []

    async def messages() -> AsyncIterator[images_pb2.UploadRequest]:
        meta = images_pb2.UploadMetadata(
            filename=form.filename,
            content_type=form.content_type,
            declared_size=declared_size,
            options=options,
            batch_id=batch_id,
        )
        yield images_pb2.UploadRequest(metadata=meta)
        try:
            async for chunk in form.chunks():
                yield images_pb2.UploadRequest(chunk=chunk)
        except Exception as exc:
            # Raising here cancels the call, so svc_images stores nothing of a broken form.
            failure.append(exc)
            raise

    call = images.Upload(messages(), metadata=metadata, timeout=timeout)
    witness = StatusWitness(call)
    try:
        image: images_pb2.Image = await call
    except grpc.aio.AioRpcError as exc:
        if failure:
            raise failure[0] from exc
        real = witness.real_error(exc)
        if real is exc:
            raise
        raise real from exc
    except asyncio.CancelledError:
        if failure:
            raise failure[0] from None
        call.cancel()
        raise
    return image
