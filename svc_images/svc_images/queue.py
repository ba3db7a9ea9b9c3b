"""The SAQ queue svc_images enqueues conversions on (svc_worker consumes it)."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from saq import Queue
from saq.job import Status
from saq.queue.redis import RedisQueue

from pixelflow.processing_queue import (
    BACKFILL_IMAGE,
    PROCESS_IMAGE,
    JobPolicy,
    backfill_image_key,
    process_image_key,
    process_image_kwargs,
)
from pixelflow.runtime import Dependency, Service
from pixelflow.runtime.tracing import current_carrier
from svc_images.metrics import Backlog
from svc_images.models import Image
from svc_images.settings import ImagesSettings

log = logging.getLogger(__name__)

BACKFILL_JOB_TTL_SECONDS = 60


class JobQueue:
    def __init__(self, queue: Queue, policy: JobPolicy) -> None:
        self.queue = queue
        self.policy = policy

    async def enqueue_processing(self, image: Image) -> bool:
        """Enqueues the image's conversion; False when Redis is down (the reconciler retries later)."""
        try:
            job = await self.queue.enqueue(
                PROCESS_IMAGE,
                key=process_image_key(str(image.id), image.generation),
                timeout=self.policy.timeout_seconds,
                retries=self.policy.attempts,
                retry_delay=self.policy.retry_delay_seconds,
                retry_backoff=self.policy.retry_backoff_max_seconds,
                # The worker's span continues the trace of whatever enqueued it (an upload, the reconciler).
                meta={"trace": carrier} if (carrier := current_carrier()) else {},
                **process_image_kwargs(str(image.id)),
            )
        except (RedisError, OSError):
            log.warning("could not enqueue image %s; the reconciler will", image.id, exc_info=True)
            return False
        return job is not None

    async def enqueue_backfill(self, image: Image) -> bool:
        """Enqueues a done image's backfill; False when one is still known to SAQ, or Redis is down."""
        try:
            job = await self.queue.enqueue(
                BACKFILL_IMAGE,
                key=backfill_image_key(str(image.id)),
                timeout=self.policy.timeout_seconds,
                retries=self.policy.attempts,
                retry_delay=self.policy.retry_delay_seconds,
                retry_backoff=self.policy.retry_backoff_max_seconds,
                # Forgotten soon after it ends, so that an image whose job was lost is tried again.
                ttl=BACKFILL_JOB_TTL_SECONDS,
                **process_image_kwargs(str(image.id)),
            )
        except (RedisError, OSError):
            log.warning("could not enqueue the backfill of image %s", image.id, exc_info=True)
            return False
        return job is not None

    async def jobs_waiting(self) -> bool:
        """True while any job waits to be taken (or Redis cannot say)."""
        try:
            return await self.queue.count("queued") > 0
        except (RedisError, OSError):
            return True

    async def is_waiting(self, image: Image) -> bool:
        """True while the image's current job is still queued or running in Redis: a backlog, not a
        loss. False when it is gone (Redis flushed or restarted, an enqueue that failed) or Redis is down."""
        try:
            job = await self.queue.job(process_image_key(str(image.id), image.generation))
        except (RedisError, OSError):
            return False
        return job is not None and job.status in (Status.QUEUED, Status.ACTIVE)

    async def backlog(self) -> Backlog:
        """The waiting jobs and when the oldest was enqueued (SAQ pushes right, takes from the left)."""
        assert isinstance(self.queue, RedisQueue)
        depth = await self.queue.count("queued")
        oldest_id = await self.queue.redis.lindex(self.queue.namespace("queued"), 0)
        oldest = self.queue.deserialize(await self.queue.redis.get(oldest_id)) if oldest_id else None
        return Backlog(depth=depth, oldest_queued_at=oldest.queued / 1000 if oldest and oldest.queued else None)


class Jobs(Dependency[JobQueue]):
    label = "queue"
    unavailable_errors = (RedisError,)

    async def check(self, value: JobQueue) -> None:
        assert isinstance(value.queue, RedisQueue)
        await value.queue.redis.ping()

    async def setup(self, service: Service) -> JobQueue:
        settings = service.settings
        assert isinstance(settings, ImagesSettings)
        queue = Queue.from_url(settings.redis_url, name=settings.queue_name)
        await queue.connect()
        policy = JobPolicy(timeout_seconds=settings.job_timeout_seconds, attempts=settings.job_attempts)
        return JobQueue(queue, policy)

    async def teardown(self, value: JobQueue) -> None:
        await value.queue.disconnect()
