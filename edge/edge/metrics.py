"""The edge's Prometheus metrics: HTTP requests by route template, uploads in flight, Socket.IO connections."""

from __future__ import annotations

import time
from collections.abc import Collection

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixelflow.runtime.metrics import LATENCY_BUCKETS

HTTP_REQUESTS = Counter(
    "pixelflow_http_requests_total",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "pixelflow_http_request_seconds",
    "HTTP request latency, from the first byte in to the last byte out",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
UPLOAD_BYTES = Counter("pixelflow_upload_bytes_total", "upload bytes received (the whole request body)")
UPLOADS_IN_FLIGHT = Gauge("pixelflow_uploads_in_flight", "uploads being received right now")
SOCKETIO_CONNECTIONS = Gauge("pixelflow_socketio_connections", "signed-in Socket.IO connections")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Requests no route matched (scanners, typos): one label value, not one per path.
UNMATCHED = "unmatched"


class HttpMetricsMiddleware:
    """Counts every HTTP request under its route's template (`/api/images/{image_id}`), never its path."""

    def __init__(self, app: ASGIApp, *, upload_routes: Collection[str] = ()) -> None:
        self.app = app
        self.upload_routes = frozenset(upload_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in _METHODS else "other"
        is_upload = f"{method} {scope['path']}" in self.upload_routes
        started = time.perf_counter()
        status = 500  # a handler that raised without answering
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        if is_upload:
            UPLOADS_IN_FLIGHT.inc()
        try:
            await self.app(scope, counting_receive, status_send)
        finally:
            if is_upload:
                UPLOADS_IN_FLIGHT.dec()
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)
            if is_upload:
                UPLOAD_BYTES.inc(received)
