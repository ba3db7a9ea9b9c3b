"""OpenTelemetry tracing: off by default, on through the standard `OTEL_*` environment variables.

On when `OTEL_TRACES_EXPORTER` names an exporter (`otlp`, `console`) or an OTLP endpoint is set
(`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), unless `OTEL_SDK_DISABLED=true`.
The sampler is `OTEL_TRACES_SAMPLER` when set, else parent-based with a ratio
(`PIXELFLOW_TRACE_SAMPLE_RATIO`): a caller's sampled `traceparent` is always followed, and new
traces are kept at that ratio. The trace context crosses the queue in the SAQ job's `meta`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, Sampler, TraceIdRatioBased

_TRUE = ("1", "true", "yes", "on")


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").lower() in _TRUE:
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return bool(exporter or endpoint)


def _exporter(environ: Mapping[str, str]) -> SpanExporter:
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers, timeout: from OTEL_EXPORTER_OTLP_*


def _sampler(environ: Mapping[str, str], ratio: float) -> Sampler | None:
    # None lets the SDK read OTEL_TRACES_SAMPLER itself.
    return None if environ.get("OTEL_TRACES_SAMPLER") else ParentBased(TraceIdRatioBased(ratio))


def configure_tracing(
    service: str, *, sample_ratio: float, environ: Mapping[str, str] = os.environ, exporter: SpanExporter | None = None
) -> bool:
    """Installs the tracer provider and the library instrumentations when tracing is requested (or an
    exporter is handed in, as tests do); returns whether tracing is on."""
    if exporter is None and not tracing_requested(environ):
        return False
    resource = Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME") or f"pixelflow-{service}"})
    provider = TracerProvider(resource=resource, sampler=_sampler(environ, sample_ratio))
    provider.add_span_processor(BatchSpanProcessor(exporter or _exporter(environ)))
    trace.set_tracer_provider(provider)
    instrument_libraries()
    return True


def tracing_on() -> bool:
    """Whether an SDK tracer provider is installed: components add their instrumentation only then."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


def instrument_libraries() -> None:
    """asyncpg and redis, where this process has them (the edge has no asyncpg, the worker no database)."""
    try:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        AsyncPGInstrumentor().instrument()
    except ImportError:
        pass
    try:
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        RedisInstrumentor().instrument()
    except ImportError:
        pass


def client_interceptors() -> list[Any]:
    if not tracing_on():
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return list(aio_client_interceptors())


def current_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`), empty when nothing is traced."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def attach_carrier(carrier: Mapping[str, str]) -> object:
    """Makes the carried context current; returns the token `detach` takes."""
    return context.attach(propagate.extract(dict(carrier)))


def detach(token: object) -> None:
    context.detach(token)  # type: ignore[arg-type]
