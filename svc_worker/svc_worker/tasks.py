"""The SAQ jobs: one image, from its original in S3 to the outputs its ticket asks for in S3, and its
status (svc_images tells the browsers).

A conversion is reported twice: the early outputs (the thumbnail) and the placeholder as soon as
they are stored (`ReportPreview`, the image stays `processing`), then everything (`CompleteProcessing`).
A backfill job gives a done image the outputs it lacks (images converted before they existed).
"""

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
from svc_worker.convert import BrokenImage, Rendered, convert_early, convert_rest
from svc_worker.metrics import record_conversion

log = logging.getLogger(__name__)


async def _fail(context: WorkerContext, image_id: str, reason: str, *, backfill: bool = False) -> None:
    await context.images.FailProcessing(
        images_pb2.FailProcessingRequest(image_id=image_id, error=reason, backfill=backfill), **context.call_options
    )
    log.info("image %s failed%s: %s", image_id, " its backfill" if backfill else "", reason)


async def _store(context: WorkerContext, image_id: str, outputs: list[Rendered], keys: dict[str, str]) -> None:
    for output in outputs:
        if output.downscaled:
            log.debug("image %s: %s scaled to %d×%d", image_id, output.name, output.width, output.height)
        await context.store.put_file(keys[output.name], str(output.path), content_type=output.content_type)


async def process_image(ctx: JobContext, *, image_id: str) -> str:
    return await _process(ctx["pixelflow"], image_id=image_id, backfill=False)


async def backfill_image(ctx: JobContext, *, image_id: str) -> str:
    """A done image's missing outputs, placeholder and location flag (enqueued by svc_images' backfill)."""
    return await _process(ctx["pixelflow"], image_id=image_id, backfill=True)


async def _process(context: WorkerContext, *, image_id: str, backfill: bool) -> str:
    settings = context.settings
    try:
        ticket = await context.images.StartProcessing(
            images_pb2.StartProcessingRequest(image_id=image_id, backfill=backfill), **context.call_options
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
                await _fail(context, image_id, "the original file is missing", backfill=backfill)
                return "failed"
            raise
        outputs = Path(workdir) / "outputs"
        outputs.mkdir()
        try:
            early = await asyncio.to_thread(convert_early, source, specs, outputs, max_pixels=settings.max_pixels)
            await _store(context, image_id, early.rendered, keys)
            if early.rendered and not backfill:
                await context.images.ReportPreview(
                    images_pb2.ReportPreviewRequest(
                        image_id=image_id,
                        results=[result_message(r.result(key=keys[r.name])) for r in early.rendered],
                        placeholder=early.placeholder,
                        original_has_location=early.source.has_location,
                    ),
                    **context.call_options,
                )
            rest = await asyncio.to_thread(convert_rest, early, specs, outputs)
        except BrokenImage as exc:
            # Whatever was stored stays unlisted: the image is `failed`, and a retry overwrites it.
            await _fail(context, image_id, f"cannot convert this image: {exc}", backfill=backfill)
            return "failed"
        await _store(context, image_id, rest, keys)
        rendered = early.rendered + rest
        record_conversion(source, rendered)

    await context.images.CompleteProcessing(
        images_pb2.CompleteProcessingRequest(
            image_id=image_id,
            results=[result_message(output.result(key=keys[output.name])) for output in rendered],
            placeholder=early.placeholder,
            original_has_location=early.source.has_location,
            backfill=backfill,
        ),
        **context.call_options,
    )
    return "done"
