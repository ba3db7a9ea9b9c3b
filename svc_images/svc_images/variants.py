"""Variants beyond the one full-size WebP: the early report (thumbnail and placeholder while the image
is still `processing`) and the backfill that gives images converted before the variants existed
their thumbnail, widths, placeholder and location flag."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from pixelflow.errors import InvalidArgument
from pixelflow.outputs import OutputSpec
from svc_images.library import find_image
from svc_images.models import Image, Status
from svc_images.outputs import plan
from svc_images.processing import Report, Ticket, check_results, planned_keys, store_results
from svc_images.queue import JobQueue
from svc_images.records import ImageRecord, load_record

log = logging.getLogger(__name__)


async def report_preview(*, image_id: str, report: Report, specs: tuple[OutputSpec, ...]) -> ImageRecord | None:
    """Stores the early outputs and the placeholder of an image being processed; the image stays
    `processing`. None (nothing stored, nothing to announce) once it is done or failed: a late report
    of an attempt that lost a race."""
    image = await find_image(image_id=image_id)
    early = {spec.name for spec in specs if spec.early}
    late = sorted({result.name for result in report.results} - early)
    if late:
        raise InvalidArgument(f"a preview reports only the early outputs {sorted(early)}, not {late}")
    planned = planned_keys(image, specs)
    check_results(report.results, planned)
    if image.status is not Status.PROCESSING:
        return None
    async with in_transaction() as connection:
        await store_results(image, report.results, planned, connection)
        image.placeholder = report.placeholder or None
        image.original_has_location = report.original_has_location
        await image.save(using_db=connection, update_fields=["placeholder", "original_has_location", "updated_at"])
    return await load_record(image)


# --- backfill ---------------------------------------------------------------------------------------


def _needs_backfill(image: Image) -> bool:
    return image.status is Status.DONE and image.placeholder is None


async def start_backfill(*, image_id: str, specs: tuple[OutputSpec, ...]) -> Ticket:
    """The variants a done image lacks; nothing to do for any other image (one that is not done gets
    them from its own conversion). The image stays `done`: its optimized WebP is served meanwhile."""
    image = await find_image(image_id=image_id)
    record = await load_record(image)
    have = {output.name for output in record.outputs}
    outputs = tuple(
        output
        for output in plan(owner_id=image.user_id, image_id=image.id, specs=specs)
        if output.spec.name not in have
    )
    return Ticket(image=record, should_process=_needs_backfill(image), outputs=outputs)


async def complete_backfill(*, image_id: str, report: Report, specs: tuple[OutputSpec, ...]) -> ImageRecord:
    """Adds the variants to a done image, with its placeholder and location flag, in one transaction."""
    image = await find_image(image_id=image_id)
    if not _needs_backfill(image):
        return await load_record(image)
    if not report.placeholder:
        raise InvalidArgument("a backfill reports the placeholder")
    planned = planned_keys(image, specs)
    check_results(report.results, planned)
    async with in_transaction() as connection:
        await store_results(image, report.results, planned, connection)
        image.placeholder = report.placeholder
        image.original_has_location = report.original_has_location
        await image.save(using_db=connection, update_fields=["placeholder", "original_has_location", "updated_at"])
    return await load_record(image)


async def fail_backfill(*, image_id: str, error: str) -> ImageRecord:
    """The done image keeps its optimized WebP and is not tried again (an empty placeholder)."""
    image = await find_image(image_id=image_id)
    if _needs_backfill(image):
        log.warning("the backfill of image %s failed: %s", image.id, error)
        image.placeholder = ""
        await image.save(update_fields=["placeholder", "updated_at"])
    return await load_record(image)


async def enqueue_backfill(*, queue: JobQueue, batch: int) -> int:
    """Queues up to `batch` backfill jobs, and only when the queue is empty: low priority, an upload
    waits behind at most `batch` of them (SAQ's queue is first in, first out).

    Resumable by construction: what still needs a backfill is read from the rows each time; an image
    whose job is still known to SAQ is not queued twice (its key), and each image queued moves to the
    back of the line (`updated_at`), so one that keeps failing does not hold the others up."""
    if batch <= 0 or await queue.jobs_waiting():
        return 0
    pending = await Image.filter(status=Status.DONE, placeholder__isnull=True).order_by("updated_at", "id").limit(batch)
    queued = 0
    for image in pending:
        queued += await queue.enqueue_backfill(image)
        await image.save(update_fields=["updated_at"])
    if queued:
        log.info("queued the backfill of %d image(s)", queued)
    return queued
