"""Conversions between protobuf well-known types and Python values."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    message = Timestamp()
    message.FromDatetime(value.astimezone(UTC))
    return message


def datetime_from(message: Timestamp, *, present: bool = True) -> datetime | None:
    """The aware datetime a Timestamp field holds; None when the field was not set."""
    if not present:
        return None
    return message.ToDatetime(tzinfo=UTC)
