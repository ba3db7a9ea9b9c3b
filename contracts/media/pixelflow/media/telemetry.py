"""Every S3 request timed, counted and traced, from one aiohttp trace config on the client's session."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import aiohttp
from opentelemetry import trace
from prometheus_client import Counter, Histogram

from pixelflow.runtime.metrics import LATENCY_BUCKETS

S3_SECONDS = Histogram(
    "pixelflow_s3_request_seconds",
    "S3 request latency, by operation (the HTTP method)",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
S3_ERRORS = Counter("pixelflow_s3_errors_total", "S3 requests without an answer or answered 5xx", ["operation"])
_tracer = trace.get_tracer("pixelflow.media.storage")


async def _started(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
    context.started = time.perf_counter()
    context.span = _tracer.start_span(
        f"S3 {params.method}",
        kind=trace.SpanKind.CLIENT,
        attributes={"http.request.method": params.method, "server.address": params.url.host or ""},
    )


def _finish(context: SimpleNamespace, method: str, status: str) -> None:
    S3_SECONDS.labels(method).observe(time.perf_counter() - context.started)
    if status in ("5xx", "error"):
        S3_ERRORS.labels(method).inc()


async def _ended(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
    code = params.response.status
    _finish(context, params.method, f"{code // 100}xx")
    context.span.set_attribute("http.response.status_code", code)
    if code >= 500:
        context.span.set_status(trace.StatusCode.ERROR)
    context.span.end()


async def _failed(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
    _finish(context, params.method, "error")
    context.span.record_exception(params.exception)
    context.span.set_status(trace.StatusCode.ERROR, type(params.exception).__name__)
    context.span.end()


def s3_trace_config() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_request_start.append(_started)
    config.on_request_end.append(_ended)
    config.on_request_exception.append(_failed)
    return config
