"""Prometheus metrics: every process serves its own `/metrics` on a port of its own, never the public one.

Label values are bounded (method names, status codes, route templates, outcomes): never a user's or
an image's id, so a scrape stays small however many people use the system.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram, start_http_server
from pydantic import Field

from pixelflow.runtime.settings import PixelflowSettings

log = logging.getLogger(__name__)

# Seconds: from a fast read (1 ms) to a long streamed upload (two minutes).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

GRPC_REQUESTS = Counter(
    "pixelflow_grpc_requests_total",
    "gRPC calls served, by method (`pkg.Service/Method`) and status code",
    ["method", "code"],
)
GRPC_SECONDS = Histogram(
    "pixelflow_grpc_request_seconds", "gRPC call latency, by method", ["method"], buckets=LATENCY_BUCKETS
)


class MetricsSettings(PixelflowSettings):
    """Each service sets its own default port (edge 9101, auth 9102, images 9103, worker 9104)."""

    metrics_host: str = Field("127.0.0.1", description="address of this process's Prometheus `/metrics`")
    metrics_port: int = Field(0, ge=0, le=65535, description="port of this process's `/metrics` (0 turns it off)")


def observe_grpc_call(full_method: str, code: str, seconds: float) -> None:
    method = full_method.lstrip("/")
    GRPC_REQUESTS.labels(method, code).inc()
    GRPC_SECONDS.labels(method).observe(seconds)


@contextmanager
def metrics_endpoint(settings: MetricsSettings) -> Iterator[int | None]:
    """Serves `/metrics` (a thread of prometheus-client's) while inside; yields the port, None when off."""
    if settings.metrics_port == 0:
        yield None
        return
    server, thread = start_http_server(settings.metrics_port, addr=settings.metrics_host)
    port = int(server.server_port)
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
