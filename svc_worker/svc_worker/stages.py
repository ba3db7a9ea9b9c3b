"""A conversion's stages, each a span of the job's trace and a sample of where the time goes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from prometheus_client import Histogram

from pixelflow.runtime.metrics import LATENCY_BUCKETS

STAGE_SECONDS = Histogram(
    "pixelflow_conversion_stage_seconds",
    "where a conversion's time goes: decode (open and check the original), encode (each output)",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
_tracer = trace.get_tracer("svc_worker")


@contextmanager
def stage(name: str, **attributes: str) -> Iterator[None]:
    started = time.perf_counter()
    with _tracer.start_as_current_span(
        name, attributes={f"pixelflow.{key}": value for key, value in attributes.items()}
    ):
        yield
    STAGE_SECONDS.labels(name).observe(time.perf_counter() - started)
