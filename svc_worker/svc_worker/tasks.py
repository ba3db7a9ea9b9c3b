"""The SAQ job: one image, from its original in S3 to the outputs its ticket asks for in S3, and its
status (svc_images tells the browsers)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

import grpc
from miniopy_async.error import S3Error

from pixelflow.images.v1 import images_pb2
from pixelflow.media.storage import is_missing
from pixelflow.outputs import result_message, spec_from_message
from svc_worker.context import JobContext, WorkerContext
from svc_worker.convert import BrokenImage, convert
from svc_worker.metrics import record_conversion

log = logging.getLogger(__name__)


async def _fail(context: WorkerContext, image_id: str, reason: str) -> None:
    await context.images.FailProcessing(
        images_pb2.FailProcessingRequest(image_id=image_id, error=reason), **context.call_options
    )
    log.info("image %s failed: %s", image_id, reason)


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
    if not ticket.outputs:
        # Only an svc_images older than this worker plans none (deploy svc_images first): retried later.
        raise RuntimeError(f"the ticket of image {image_id} asks for no output")

    specs = [spec_from_message(output) for output in ticket.outputs]
    keys = {output.name: output.key for output in ticket.outputs}
    with tempfile.TemporaryDirectory(prefix="pixelflow-", dir=settings.work_dir) as workdir:
        source = Path(workdir) / "original"
        try:
            await context.store.download_file(ticket.original_key, str(source))
        except S3Error as exc:
            if is_missing(exc):
                await _fail(context, image_id, "the original file is missing")
                return "failed"
            raise
        outputs = Path(workdir) / "outputs"
        outputs.mkdir()
        try:
            rendered = await asyncio.to_thread(convert, source, specs, outputs, max_pixels=settings.max_pixels)
        except BrokenImage as exc:
            await _fail(context, image_id, f"cannot convert this image: {exc}")
            return "failed"
        record_conversion(source, rendered)
        for output in rendered:
            if output.downscaled:
                log.info("image %s: %s scaled to %d×%d", image_id, output.name, output.width, output.height)
            await context.store.put_file(keys[output.name], str(output.path), content_type=output.content_type)

    await context.images.CompleteProcessing(
        images_pb2.CompleteProcessingRequest(
            image_id=image_id, results=[result_message(output.result(key=keys[output.name])) for output in rendered]
        ),
        **context.call_options,
    )
    return "done"
