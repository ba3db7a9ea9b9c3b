"""The SAQ worker of svc_worker: its queue, its one function, and the startup hook injecting clients."""

from __future__ import annotations

from saq import Queue, Worker
from saq.types import PartialTimersDict

from pixelflow.processing_queue import BACKFILL_IMAGE, PROCESS_IMAGE
from svc_worker.context import JobContext, WorkerContext
from svc_worker.metrics import after_job, before_job
from svc_worker.settings import WorkerSettings
from svc_worker.tasks import backfill_image, process_image
from svc_worker.tracing import end_job_span, start_job_span


def build_worker(settings: WorkerSettings) -> Worker[JobContext]:
    async def startup(ctx: JobContext) -> None:
        ctx["pixelflow"] = WorkerContext.open(settings)

    async def shutdown(ctx: JobContext) -> None:
        context = ctx.get("pixelflow")
        if isinstance(context, WorkerContext):
            await context.close()

    queue = Queue.from_url(settings.redis_url, name=settings.queue_name)
    assert (process_image.__name__, backfill_image.__name__) == (PROCESS_IMAGE, BACKFILL_IMAGE)
    return Worker(
        queue,
        functions=[process_image, backfill_image],
        concurrency=settings.concurrency,
        startup=startup,
        shutdown=shutdown,
        before_process=[start_job_span, before_job],
        after_process=[after_job, end_job_span],
        shutdown_grace_period_s=settings.shutdown_grace_seconds,
        # SAQ's stop waits for its upkeep loops to wake up too: with the default 60 s sweep, every
        # stop took the whole grace period. Short loops end a stop seconds after the last job.
        timers=PartialTimersDict(sweep=5, worker_info=5, abort=1, schedule=1),
    )
