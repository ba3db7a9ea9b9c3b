"""One log format for every process: service name and request id on each line."""

from __future__ import annotations

import contextvars
import logging
import sys
import uuid

REQUEST_ID_KEY = "x-request-id"

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("pixelflow_request_id", default="-")


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


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        logging.Formatter(f"%(asctime)s %(levelname)s {service} [%(request_id)s] %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # libvips reports every thread pool at INFO.
    logging.getLogger("pyvips").setLevel(max(logging.WARNING, root.level))
