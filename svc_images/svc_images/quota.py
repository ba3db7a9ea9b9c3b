"""The per-account storage quota: every byte an account holds in S3, counted from its rows.

Stored bytes are the sizes of the account's originals (`images`) and of all their results
(`image_outputs`); anything stored for an account later must add its bytes to `stored_bytes`. An
upload in flight has no row yet, so it holds room (a reservation row) from before its first byte is
read until its image row exists. Room is taken under a per-account advisory lock, so uploads racing
each other cannot share the same room.

A result (an output such as the optimized WebP) is written after its upload was accepted and is
never refused: it may push usage past the quota, after which every new upload is refused at once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from pixelflow.errors import DomainError, QuotaExceeded, TooLarge
from svc_images.models import UploadReservation
from svc_images.uploads import UploadLimits

log = logging.getLogger(__name__)

# Every account's lock lives in one namespace: the key is a hash of this prefix and the account id.
_LOCK_PREFIX = "pixelflow.images.quota:"


@dataclass(frozen=True)
class QuotaPolicy:
    quota_bytes: int
    # An upload slower than this stops holding room (a row left by a dead process must expire).
    hold: timedelta


@dataclass(frozen=True)
class Usage:
    used_bytes: int
    quota_bytes: int


@dataclass(frozen=True)
class Room:
    """What one upload may store: `size_bytes`, and why that is its limit."""

    size_bytes: int
    quota_bytes: int
    limited_by_quota: bool

    def limits(self, limits: UploadLimits) -> UploadLimits:
        """`limits` with the upload bounded by this room; past it, the refusal names the quota."""
        refusal: DomainError
        if self.limited_by_quota:
            refusal = QuotaExceeded(
                f"the file would pass the storage quota of {self.quota_bytes:,} bytes: "
                f"{self.size_bytes:,} bytes are left"
            )
        elif self.size_bytes < limits.max_bytes:
            refusal = TooLarge(f"the file is larger than the {self.size_bytes:,} bytes its upload declared")
        else:
            return limits
        return replace(limits, max_bytes=self.size_bytes, over_max_bytes=refusal)


async def stored_bytes(*, owner_id: str, connection: BaseDBAsyncClient) -> int:
    """The bytes of every original and result the account holds."""
    query = (
        # An original shared by conversions of it (one `original_key`) is stored, and counted, once.
        'SELECT ((SELECT COALESCE(SUM("size_bytes"), 0) FROM (SELECT DISTINCT ON ("original_key") "size_bytes"'
        ' FROM "images" WHERE "user_id" = $1) AS "originals")'
        ' + (SELECT COALESCE(SUM(o."size_bytes"), 0) FROM "image_outputs" o'
        ' JOIN "images" i ON i."id" = o."image_id" WHERE i."user_id" = $1)'
        ')::BIGINT AS "used"'
    )
    _, rows = await connection.execute_query(query, [uuid.UUID(owner_id)])
    return int(rows[0]["used"])


async def usage(*, owner_id: str, policy: QuotaPolicy) -> Usage:
    used = await stored_bytes(owner_id=owner_id, connection=get_connection("default"))
    return Usage(used_bytes=used, quota_bytes=policy.quota_bytes)


async def _held_bytes(*, owner_id: str, connection: BaseDBAsyncClient, now: datetime) -> int:
    """Room held by the account's uploads in flight; expired holds (a dead process's) are cleared first."""
    await UploadReservation.filter(user_id=owner_id, expires_at__lte=now).using_db(connection).delete()
    _, rows = await connection.execute_query(
        'SELECT COALESCE(SUM("size_bytes"), 0)::BIGINT AS "held" FROM "upload_reservations" WHERE "user_id" = $1',
        [uuid.UUID(owner_id)],
    )
    return int(rows[0]["held"])


def _used_up(policy: QuotaPolicy, stored: int, held: int) -> QuotaExceeded:
    message = f"the storage quota of {policy.quota_bytes:,} bytes is used up ({stored:,} bytes stored"
    if held:
        message += f", {held:,} bytes held by uploads in progress"
    return QuotaExceeded(message + ")")


async def _take_room(*, owner_id: str, policy: QuotaPolicy, max_bytes: int) -> tuple[uuid.UUID, Room]:
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        # Released at commit: the room is decided and held before another upload of the account looks.
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [_LOCK_PREFIX + owner_id]
        )
        stored = await stored_bytes(owner_id=owner_id, connection=connection)
        held = await _held_bytes(owner_id=owner_id, connection=connection, now=now)
        left = policy.quota_bytes - stored - held
        if left <= 0:
            raise _used_up(policy, stored, held)
        size = min(left, max_bytes)
        reservation = await UploadReservation.create(
            id=uuid.uuid4(), user_id=owner_id, size_bytes=size, expires_at=now + policy.hold, using_db=connection
        )
    return reservation.id, Room(size_bytes=size, quota_bytes=policy.quota_bytes, limited_by_quota=left < max_bytes)


async def _release(reservation_id: uuid.UUID) -> None:
    try:
        await UploadReservation.filter(id=reservation_id).delete()
    except Exception:
        log.warning("could not release quota reservation %s; it expires on its own", reservation_id, exc_info=True)


@asynccontextmanager
async def reserve(*, owner_id: str, policy: QuotaPolicy, max_bytes: int) -> AsyncIterator[Room]:
    """Holds the room for one upload of at most `max_bytes`, or refuses at once when none is left.

    Leave the block only after the upload's image row exists (or the upload failed): from the row's
    insert to the release its bytes count twice, which errs on the safe side; never zero times.
    """
    reservation_id, room = await _take_room(owner_id=owner_id, policy=policy, max_bytes=max_bytes)
    try:
        yield room
    finally:
        await asyncio.shield(_release(reservation_id))
