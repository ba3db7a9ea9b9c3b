"""`python -m svc_worker`: converts queued images until SIGTERM (running jobs get a grace period)."""

from __future__ import annotations

import asyncio

from pixelflow.runtime.logs import configure_logging
from pixelflow.runtime.metrics import metrics_endpoint
from pixelflow.runtime.tracing import configure_tracing
from svc_worker.settings import WorkerSettings
from svc_worker.worker import build_worker


def main() -> None:
    settings = WorkerSettings()
    configure_logging("worker", settings.log_level, settings.log_format)
    configure_tracing("worker", sample_ratio=settings.trace_sample_ratio)
    with metrics_endpoint(settings):
        asyncio.run(build_worker(settings).start())


if __name__ == "__main__":
    main()
