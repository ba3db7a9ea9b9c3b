"""One log format for every process: service name and request id on each line, as text or JSON."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum

REQUEST_ID_KEY = "x-request-id"

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("pixelflow_request_id", default="-")
image_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("pixelflow_image_id", default=None)


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@contextmanager
def image_in_context(image_id: str) -> Iterator[None]:
    """Every line logged inside carries the image's id (the JSON format's `image_id`)."""
    token = image_id_var.set(image_id)
    try:
        yield
    finally:
        image_id_var.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """Keeps a caller's id only when it is short and printable, so it cannot forge log lines."""
    if value and len(value) <= 128 and value.isascii() and value.isprintable():
        return value
    return new_request_id()


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def _current_trace() -> tuple[str, str] | None:
    """The active OpenTelemetry span's trace and span ids, when tracing is installed and on."""
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors: nothing has to parse the text format."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if (trace_ids := _current_trace()) is not None:
            entry["trace_id"], entry["span_id"] = trace_ids
        if (image_id := image_id_var.get()) is not None:
            entry["image_id"] = image_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO", log_format: LogFormat = LogFormat.TEXT) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if log_format is LogFormat.JSON:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(
            logging.Formatter(f"%(asctime)s %(levelname)s {service} [%(request_id)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # libvips reports every thread pool at INFO.
    logging.getLogger("pyvips").setLevel(max(logging.WARNING, root.level))
