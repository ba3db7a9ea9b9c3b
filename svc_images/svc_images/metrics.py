"""svc_images' Prometheus gauges: images by status and the queue's backlog, refreshed by a timer
(a scrape reads numbers; it never runs a query), and the reconciler's re-enqueues."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import Counter, Gauge
from tortoise.functions import Count

from svc_images.models import Image, Status

IMAGES = Gauge("pixelflow_images", "images in the table, by status", ["status"])
QUEUE_DEPTH = Gauge("pixelflow_queue_depth", "conversion jobs waiting in the queue")
QUEUE_OLDEST_AGE = Gauge("pixelflow_queue_oldest_age_seconds", "how long the oldest waiting job has waited (0: none)")
UPLOADS = Counter(
    "pixelflow_uploads_total", "uploads finished: stored, refused (bad input, limits, quota) or failed", ["outcome"]
)
REQUEUED = Counter("pixelflow_reconciler_requeued_total", "stuck images the reconciler enqueued again")


@dataclass(frozen=True, slots=True)
class Backlog:
    depth: int
    oldest_queued_at: float | None  # epoch seconds


async def count_by_status() -> dict[Status, int]:
    """One grouped count over the status index: cheap however many images there are."""
    rows = await Image.all().group_by("status").annotate(count=Count("id")).values("status", "count")
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[Status(row["status"])] = int(row["count"])
    return counts


def publish(counts: dict[Status, int], backlog: Backlog, *, now: float | None = None) -> None:
    for status, count in counts.items():
        IMAGES.labels(status.value).set(count)
    QUEUE_DEPTH.set(backlog.depth)
    oldest = backlog.oldest_queued_at
    QUEUE_OLDEST_AGE.set(max(0.0, (now or time.time()) - oldest) if oldest is not None else 0.0)
