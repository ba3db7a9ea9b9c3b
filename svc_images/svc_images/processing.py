"""Status transitions reported by svc_worker, and the re-enqueuing of stuck images (the service's
`reconcile` timer)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from pixelflow.errors import InvalidArgument, NotFound
from pixelflow.outputs import OutputResult, OutputSpec
from svc_images.deletion import queue_objects
from svc_images.library import find_image
from svc_images.metrics import REQUEUED
from svc_images.models import Image, ImageOutput, Status
from svc_images.options import stored, with_options
from svc_images.outputs import PlannedOutput, plan
from svc_images.queue import JobQueue
from svc_images.records import ImageRecord, load_record

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 1000


@dataclass(frozen=True)
class Ticket:
    image: ImageRecord
    should_process: bool
    outputs: tuple[PlannedOutput, ...]


async def start_processing(*, image_id: str, specs: tuple[OutputSpec, ...]) -> Ticket:
    """Marks the image `processing` and plans its outputs. A finished image is left alone: a
    duplicate job has nothing to do."""
    image = await find_image(image_id=image_id)
    outputs = plan(owner_id=image.user_id, image_id=image.id, specs=with_options(specs, stored(image.options)))
    if image.status in (Status.DONE, Status.FAILED):
        return Ticket(image=await load_record(image), should_process=False, outputs=outputs)
    await Image.filter(id=image.id, status__in=[Status.QUEUED, Status.PROCESSING]).update(
        status=Status.PROCESSING, updated_at=datetime.now(UTC)
    )
    return Ticket(image=await load_record(await find_image(image_id=image_id)), should_process=True, outputs=outputs)


@dataclass(frozen=True)
class Report:
    """What the worker says it made: the results, the placeholder and the original's location flag."""

    results: Sequence[OutputResult]
    placeholder: str = ""
    original_has_location: bool = False


async def complete_processing(*, image_id: str, report: Report, specs: tuple[OutputSpec, ...]) -> ImageRecord | None:
    """Stores the results and marks the image done, in one transaction; a repeated report is a no-op.

    Every planned output must be reported but the responsive widths the image is too narrow for: a
    set missing one is refused (the worker fails the job instead). A worker of a release before the
    variants reports no placeholder and only `optimized`: accepted, and the backfill adds the rest.

    None when the image was deleted meanwhile: the results just written are queued for removal, and
    the worker's job ends without error.
    """
    try:
        image = await find_image(image_id=image_id)
    except NotFound:
        await queue_objects(result.key for result in report.results)
        return None
    # Checked first, whatever the status: a valid report stays valid when it is repeated.
    planned = planned_keys(image, specs)
    check_results(report.results, planned)
    required = {spec.name for spec in specs if not spec.only_if_narrower}
    missing = sorted(required - {result.name for result in report.results})
    if report.placeholder and missing:
        raise InvalidArgument(f"outputs {missing} are missing from the results")
    if image.status is Status.DONE:
        return await load_record(image)
    async with in_transaction() as connection:
        # Locked against a deletion: it either waits for these rows or has removed the image first.
        if not await Image.filter(id=image.id).using_db(connection).select_for_update().exists():
            await queue_objects([key for key in planned.values()], connection=connection)
            return None
        await ImageOutput.filter(image_id=image.id).using_db(connection).delete()
        await store_results(image, report.results, planned, connection)
        image.status = Status.DONE
        image.error = None
        image.processed_at = datetime.now(UTC)
        image.placeholder = report.placeholder or None
        image.original_has_location = report.original_has_location
        await image.save(using_db=connection)
    return await load_record(image)


def planned_keys(image: Image, specs: tuple[OutputSpec, ...]) -> dict[str, str]:
    """Each output's key, with the image's own options applied (they decide the optimized format)."""
    specs = with_options(specs, stored(image.options))
    return {output.spec.name: output.key for output in plan(owner_id=image.user_id, image_id=image.id, specs=specs)}


def check_results(results: Sequence[OutputResult], planned: dict[str, str]) -> None:
    unknown = sorted({result.name for result in results} - planned.keys())
    if unknown or not results:
        raise InvalidArgument(f"results must name the planned outputs {sorted(planned)}, not {unknown}")


async def store_results(
    image: Image, results: Sequence[OutputResult], planned: dict[str, str], connection: BaseDBAsyncClient
) -> None:
    """Rows for `results`, replacing any of the same names (inside the caller's transaction)."""
    names = [result.name for result in results]
    await ImageOutput.filter(image_id=image.id, name__in=names).using_db(connection).delete()
    for result in results:
        await ImageOutput.create(
            image_id=image.id,
            name=result.name,
            # A worker of the release before `results` wrote to the planned key and names none.
            key=result.key or planned[result.name],
            content_type=result.content_type,
            width=result.width,
            height=result.height,
            size_bytes=result.size_bytes,
            using_db=connection,
        )


async def current(*, image_id: str) -> ImageRecord:
    return await load_record(await find_image(image_id=image_id))


async def fail_processing(*, image_id: str, error: str) -> ImageRecord | None:
    """None when the image was deleted meanwhile (nothing to record)."""
    try:
        image = await find_image(image_id=image_id)
    except NotFound:
        return None
    if image.status is not Status.DONE:
        image.status = Status.FAILED
        image.error = error[:MAX_ERROR_LENGTH] or "processing failed"
        image.processed_at = datetime.now(UTC)
        await image.save()
    return await load_record(image)


async def requeue_stuck(*, queue: JobQueue, older_than: timedelta) -> int:
    """Re-enqueues images left queued or processing too long (a killed worker, a flushed Redis).

    A queued image whose job still waits in Redis is only behind a backlog: a second job would have
    two workers convert it at once, and add to the backlog that made it wait. A processing one is
    requeued on age alone, since a killed worker's job stays "active" in Redis.
    """
    cutoff = datetime.now(UTC) - older_than
    stuck = await Image.filter(status__in=[Status.QUEUED, Status.PROCESSING], updated_at__lt=cutoff).limit(500)
    requeued = 0
    for image in stuck:
        if image.status is Status.QUEUED and await queue.is_waiting(image):
            continue
        image.generation += 1
        image.status = Status.QUEUED
        await image.save(update_fields=["generation", "status", "updated_at"])
        await queue.enqueue_processing(image)
        requeued += 1
    if requeued:
        REQUEUED.inc(requeued)
        log.info("re-enqueued %d stuck image(s)", requeued)
    return requeued
