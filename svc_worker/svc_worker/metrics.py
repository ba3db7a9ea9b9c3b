"""svc_worker's Prometheus metrics, recorded from SAQ's before/after hooks and the job's own figures.

A worker scaled to N processes is N scrape targets: every figure here is this process's own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from prometheus_client import Counter, Histogram
from saq.job import Status

from pixelflow.runtime.metrics import LATENCY_BUCKETS
from svc_worker.context import JobContext
from svc_worker.render import Rendered

CONVERSIONS = Counter(
    "pixelflow_conversions_total",
    "conversion jobs ended, by outcome: done, failed (the image), retried, skipped, error (attempts spent), aborted",
    ["outcome"],
)
CONVERSION_SECONDS = Histogram(
    "pixelflow_conversion_seconds",
    "time a successful conversion job ran, from start to the results reported",
    buckets=LATENCY_BUCKETS,
)
QUEUE_WAIT_SECONDS = Histogram(
    "pixelflow_job_wait_seconds", "time a job waited in the queue before its first attempt", buckets=LATENCY_BUCKETS
)
INPUT_MEGAPIXELS = Histogram(
    "pixelflow_conversion_input_megapixels",
    "pixels of the images converted (all frames), in millions",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500),
)
CONVERSION_BYTES = Counter("pixelflow_conversion_bytes_total", "bytes read and written by conversions", ["direction"])

# What process_image returns, mapped to the outcome label.
_RESULT_OUTCOMES = {"done": "done", "failed": "failed", "gone": "skipped", "already finished": "skipped"}


async def before_job(ctx: JobContext) -> None:
    job = ctx.get("job")
    if job is not None and job.attempts <= 1 and job.queued:
        QUEUE_WAIT_SECONDS.observe(max(0.0, time.time() - job.queued / 1000))


async def after_job(ctx: JobContext) -> None:
    job = ctx.get("job")
    if job is None:
        return
    if job.status is Status.COMPLETE:
        outcome = _RESULT_OUTCOMES.get(str(job.result), "done")
        if outcome == "done" and job.started:
            CONVERSION_SECONDS.observe(max(0.0, time.time() - job.started / 1000))
    elif job.status is Status.QUEUED:
        outcome = "retried"
    elif job.status is Status.FAILED:
        outcome = "error"
    else:
        outcome = "aborted"
    CONVERSIONS.labels(outcome).inc()


def record_conversion(source: Path, rendered: Sequence[Rendered]) -> None:
    """Bytes in and out, and the input's size (the largest output: the original's pixels unless a
    panorama was scaled down to its format's limit)."""
    CONVERSION_BYTES.labels("in").inc(source.stat().st_size)
    CONVERSION_BYTES.labels("out").inc(sum(output.size_bytes for output in rendered))
    if rendered:
        INPUT_MEGAPIXELS.observe(max(output.width * output.height * output.frames for output in rendered) / 1e6)
