"""Status transitions reported by svc_worker, and the reconciler that re-enqueues stuck images."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from pixelflow.errors import InvalidArgument, NotFound
from pixelflow.outputs import OutputResult, OutputSpec
from pixelflow.runtime import Dependency, Service
from svc_images.models import Image, ImageOutput, Status
from svc_images.outputs import PlannedOutput, plan
from svc_images.queue import JobQueue
from svc_images.records import ImageRecord, load_record
from svc_images.settings import ImagesSettings

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 1000


@dataclass(frozen=True)
class Ticket:
    image: ImageRecord
    should_process: bool
    outputs: tuple[PlannedOutput, ...]


async def _image(image_id: str) -> Image:
    try:
        image = await Image.get_or_none(id=uuid.UUID(image_id))
    except ValueError:
        image = None
    if image is None:
        raise NotFound("image not found")
    return image


async def start_processing(*, image_id: str, specs: tuple[OutputSpec, ...]) -> Ticket:
    """Marks the image `processing` and plans its outputs. A finished image is left alone: a
    duplicate job has nothing to do."""
    image = await _image(image_id)
    outputs = plan(owner_id=image.user_id, image_id=image.id, specs=specs)
    if image.status in (Status.DONE, Status.FAILED):
        return Ticket(image=await load_record(image), should_process=False, outputs=outputs)
    await Image.filter(id=image.id, status__in=[Status.QUEUED, Status.PROCESSING]).update(
        status=Status.PROCESSING, updated_at=datetime.now(UTC)
    )
    return Ticket(image=await load_record(await _image(image_id)), should_process=True, outputs=outputs)


async def complete_processing(
    *, image_id: str, results: Sequence[OutputResult], specs: tuple[OutputSpec, ...]
) -> ImageRecord:
    """Stores the results and marks the image done, in one transaction; a repeated report is a no-op."""
    image = await _image(image_id)
    if image.status is Status.DONE:
        return await load_record(image)
    planned = {output.spec.name: output.key for output in plan(owner_id=image.user_id, image_id=image.id, specs=specs)}
    unknown = sorted({result.name for result in results} - planned.keys())
    if unknown or not results:
        raise InvalidArgument(f"results must name the planned outputs {sorted(planned)}, not {unknown}")
    async with in_transaction() as connection:
        await ImageOutput.filter(image_id=image.id).using_db(connection).delete()
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
        image.status = Status.DONE
        image.error = None
        image.processed_at = datetime.now(UTC)
        await image.save(using_db=connection)
    return await load_record(image)


async def fail_processing(*, image_id: str, error: str) -> ImageRecord:
    image = await _image(image_id)
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
        log.info("re-enqueued %d stuck image(s)", requeued)
    return requeued


class Reconciler(Dependency[asyncio.Task[None]]):
    """A background loop for as long as the service runs; declared after `db` and `jobs`."""

    async def setup(self, service: Service) -> asyncio.Task[None]:
        settings = service.settings
        assert isinstance(settings, ImagesSettings)
        queue: JobQueue = service.jobs  # type: ignore[attr-defined]
        scopes = service.call_scopes

        async def loop() -> None:
            while True:
                await asyncio.sleep(settings.reconcile_interval_seconds)
                try:
                    with scopes():
                        await requeue_stuck(queue=queue, older_than=timedelta(seconds=settings.reconcile_after_seconds))
                except Exception:
                    log.exception("reconciling failed; trying again next round")

        return asyncio.create_task(loop(), name="reconciler")

    async def teardown(self, value: asyncio.Task[None]) -> None:
        value.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await value
