"""The timer that keeps svc_images' gauges current: images by status and the queue's backlog."""

from __future__ import annotations

from pixelflow.runtime import timer
from svc_images import metrics
from svc_images.dependencies import ImagesBase


class MonitoringCapability(ImagesBase):
    @timer(setting="metrics_refresh_seconds")
    async def refresh_metrics(self) -> None:
        metrics.publish(await metrics.count_by_status(), await self.jobs.backlog())
