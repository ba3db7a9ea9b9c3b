"""List cursors: the last image of a page, signed, so only a cursor this service issued is read.

An unsigned cursor let a client choose any time and id (an out-of-range time reached PostgreSQL
and failed there); a signed one is refused before it is parsed unless the service wrote it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from datetime import datetime

from pixelflow.errors import InvalidArgument

_SIGNATURE_BYTES = 16
_INVALID = "invalid cursor: pass the next_cursor of a previous page, unchanged"


def cursor_key(secret: str) -> bytes:
    """The signing key, kept apart from other uses of the same secret."""
    return hmac.new(secret.encode(), b"pixelflow list cursor", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(*, key: bytes, uploaded_at: datetime, image_id: uuid.UUID) -> str:
    payload = f"{uploaded_at.isoformat()}|{image_id}".encode()
    return f"{_b64(payload)}.{_b64(_signature(key, payload))}"


def decode_cursor(*, key: bytes, token: str) -> tuple[datetime, uuid.UUID]:
    """The (time, id) a cursor names; InvalidArgument for any cursor this key did not sign."""
    try:
        encoded_payload, _, encoded_signature = token.partition(".")
        payload = _unb64(encoded_payload)
        if not hmac.compare_digest(_unb64(encoded_signature), _signature(key, payload)):
            raise InvalidArgument(_INVALID, field="cursor")
        uploaded_at, _, image_id = payload.decode().partition("|")
        return datetime.fromisoformat(uploaded_at), uuid.UUID(image_id)
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidArgument(_INVALID, field="cursor") from exc
