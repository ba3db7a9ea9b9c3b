"""`python -m edge`: serves HTTP on PIXELFLOW_EDGE_HOST:PIXELFLOW_EDGE_PORT."""

from __future__ import annotations

import uvicorn

from edge.accesslog import redact_access_log
from edge.app import create_app
from edge.settings import EdgeSettings
from pixelflow.runtime.heap import freeze_startup_objects
from pixelflow.runtime.logs import configure_logging
from pixelflow.runtime.tracing import configure_tracing


def main() -> None:
    settings = EdgeSettings()
    configure_logging("edge", settings.log_level, settings.log_format)
    redact_access_log()
    configure_tracing("edge", sample_ratio=settings.trace_sample_ratio)
    app = create_app(settings)
    freeze_startup_objects()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=None,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
