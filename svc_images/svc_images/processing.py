"""Status transitions reported by svc_worker, and the re-enqueuing of stuck images (the service's
`reconcile` timer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from svc_images.library import find_image
from svc_images.models import Image, Status
from svc_images.queue import JobQueue

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 1000


def optimized_key(image: Image) -> str:
    return f"optimized/{image.user_id}/{image.id}.webp"


@dataclass(frozen=True)
class Ticket:
    image: Image
    should_process: bool


async def start_processing(*, image_id: str) -> Ticket:
    """Marks the image `processing`. A finished image is left alone: a duplicate job has nothing to do."""
    image = await find_image(image_id=image_id)
    if image.status in (Status.DONE, Status.FAILED):
        return Ticket(image=image, should_process=False)
    await Image.filter(id=image.id, status__in=[Status.QUEUED, Status.PROCESSING]).update(
        status=Status.PROCESSING, updated_at=datetime.now(UTC)
    )
    return Ticket(image=await find_image(image_id=image_id), should_process=True)


async def complete_processing(*, image_id: str, width: int, height: int, optimized_size_bytes: int) -> Image:
    image = await find_image(image_id=image_id)
    if image.status is not Status.DONE:
        image.status = Status.DONE
        image.optimized_key = optimized_key(image)
        image.optimized_width, image.optimized_height = width, height
        image.optimized_size_bytes = optimized_size_bytes
        image.error = None
        image.processed_at = datetime.now(UTC)
        await image.save()
    return image


async def fail_processing(*, image_id: str, error: str) -> Image:
    image = await find_image(image_id=image_id)
    if image.status is not Status.DONE:
        image.status = Status.FAILED
        image.error = error[:MAX_ERROR_LENGTH] or "processing failed"
        image.processed_at = datetime.now(UTC)
        await image.save()
    return image


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
