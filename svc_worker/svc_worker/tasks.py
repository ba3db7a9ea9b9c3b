"""The SAQ job: one image, from its original in S3 to WebP in S3, its status, and the live event."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

import grpc
from miniopy_async.error import S3Error

from pixelflow.events import IMAGE_UPDATED, SOCKETIO_NAMESPACE, image_json, user_room
from pixelflow.images.v1 import images_pb2
from pixelflow.storage import is_missing
from svc_worker.context import JobContext, WorkerContext
from svc_worker.convert import BrokenImage, convert_to_webp

log = logging.getLogger(__name__)


async def _emit(context: WorkerContext, image: images_pb2.Image) -> None:
    """The status is already stored; a lost event only delays the browser until it refetches."""
    try:
        await context.events.emit(
            IMAGE_UPDATED, image_json(image), room=user_room(image.user_id), namespace=SOCKETIO_NAMESPACE
        )
    except Exception:
        log.warning("could not emit %s for image %s", IMAGE_UPDATED, image.id, exc_info=True)


async def _fail(context: WorkerContext, image_id: str, reason: str) -> None:
    image = await context.images.FailProcessing(
        images_pb2.FailProcessingRequest(image_id=image_id, error=reason), **context.call_options
    )
    log.info("image %s failed: %s", image_id, reason)
    await _emit(context, image)


async def process_image(ctx: JobContext, *, image_id: str) -> str:
    context: WorkerContext = ctx["pixelflow"]
    settings = context.settings
    try:
        ticket = await context.images.StartProcessing(
            images_pb2.StartProcessingRequest(image_id=image_id), **context.call_options
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() is grpc.StatusCode.NOT_FOUND:
            return "gone"
        raise
    if not ticket.should_process:
        return "already finished"
    await _emit(context, ticket.image)

    with tempfile.TemporaryDirectory(prefix="pixelflow-", dir=settings.work_dir) as workdir:
        source, target = Path(workdir) / "original", Path(workdir) / "optimized.webp"
        try:
            await context.store.download_file(ticket.original_key, str(source))
        except S3Error as exc:
            if is_missing(exc):
                await _fail(context, image_id, "the original file is missing")
                return "failed"
            raise
        try:
            converted = await asyncio.to_thread(
                convert_to_webp,
                source,
                target,
                quality=settings.webp_quality,
                effort=settings.webp_effort,
                max_pixels=settings.max_pixels,
            )
        except BrokenImage as exc:
            await _fail(context, image_id, f"cannot convert this image: {exc}")
            return "failed"
        if converted.downscaled:
            log.info("image %s scaled to %d×%d to fit WebP", image_id, converted.width, converted.height)
        await context.store.put_file(ticket.optimized_key, str(target), content_type="image/webp")

    image = await context.images.CompleteProcessing(
        images_pb2.CompleteProcessingRequest(
            image_id=image_id,
            width=converted.width,
            height=converted.height,
            optimized_size_bytes=converted.size_bytes,
        ),
        **context.call_options,
    )
    await _emit(context, image)
    return "done"
