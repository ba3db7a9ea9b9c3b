"""Deleting images: the rows go at once, their objects through an outbox (`PendingDeletion`).

The rows and the outbox rows are written in one transaction, so an image is gone for its owner the
moment the call returns, whether S3 answers or not; the objects are removed right after, or by the
`sweep_deletions` timer once S3 is back. An original is shared by every image converted again from
it: the sweep removes an object only once no row names it any more, so deleting either of a pair
keeps the other's original.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from pixelflow.errors import NotFound
from pixelflow.media.storage import STORAGE_ERRORS, ObjectStore
from pixelflow.outputs import OutputSpec
from svc_images.models import Image, ImageOutput, PendingDeletion, UploadReservation
from svc_images.outputs import plan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeletedImages:
    owner_id: str
    image_ids: tuple[str, ...]
    # Outbox rows written for the objects: the ones the caller tries to remove at once.
    pending_ids: tuple[int, ...]


@dataclass(frozen=True)
class SweepResult:
    removed: int
    kept: int
    # True when S3 failed: what is left waits for the next sweep.
    interrupted: bool


async def queue_objects(keys: Iterable[str], *, connection: BaseDBAsyncClient | None = None) -> tuple[int, ...]:
    """Writes the keys to the outbox (in the caller's transaction when given)."""
    rows = [PendingDeletion(key=key) for key in sorted(set(keys)) if key]
    if not rows:
        return ()
    created = []
    for row in rows:
        await row.save(using_db=connection)
        created.append(row.id)
    return tuple(created)


async def _remove_rows(
    images: Sequence[Image], *, specs: tuple[OutputSpec, ...], connection: BaseDBAsyncClient
) -> tuple[int, ...]:
    """Deletes the images' rows (their outputs cascade) and queues every object they may have stored:
    the results recorded, the results a conversion in flight may still write, and the originals."""
    ids = [image.id for image in images]
    outputs = await ImageOutput.filter(image_id__in=ids).using_db(connection)
    recorded = [output.key for output in outputs]
    planned = [
        output.key for image in images for output in plan(owner_id=image.user_id, image_id=image.id, specs=specs)
    ]
    originals = [image.original_key for image in images]
    await Image.filter(id__in=ids).using_db(connection).delete()
    return await queue_objects([*recorded, *planned, *originals], connection=connection)


async def delete_image(*, owner_id: str, image_id: str, specs: tuple[OutputSpec, ...]) -> DeletedImages:
    """Deletes one of the owner's images; another person's, or one already deleted, is NotFound."""
    try:
        wanted = uuid.UUID(image_id)
    except ValueError as exc:
        raise NotFound("image not found") from exc
    async with in_transaction() as connection:
        # Locked: a conversion completing at this moment waits, then finds the image gone.
        image = await Image.filter(id=wanted, user_id=owner_id).using_db(connection).select_for_update().first()
        if image is None:
            raise NotFound("image not found")
        pending = await _remove_rows([image], specs=specs, connection=connection)
    return DeletedImages(owner_id=owner_id, image_ids=(str(image.id),), pending_ids=pending)


async def purge_owner(*, owner_id: str, specs: tuple[OutputSpec, ...], batch_size: int) -> DeletedImages:
    """Deletes every image of an account (its deletion); calling it again finds nothing left to do."""
    try:
        owner = uuid.UUID(owner_id)
    except ValueError as exc:
        raise NotFound("no such owner") from exc
    deleted: list[str] = []
    pending: list[int] = []
    while True:
        async with in_transaction() as connection:
            images = await Image.filter(user_id=owner).using_db(connection).select_for_update().limit(batch_size)
            if not images:
                await UploadReservation.filter(user_id=owner).using_db(connection).delete()
                break
            pending.extend(await _remove_rows(images, specs=specs, connection=connection))
        deleted.extend(str(image.id) for image in images)
    return DeletedImages(owner_id=owner_id, image_ids=tuple(deleted), pending_ids=tuple(pending))


async def _still_used(key: str) -> bool:
    return await Image.filter(original_key=key).exists() or await ImageOutput.filter(key=key).exists()


async def sweep(*, store: ObjectStore, limit: int, only: Sequence[int] | None = None) -> SweepResult:
    """Removes queued objects, oldest first; stops at the first S3 failure (it is down: later)."""
    query = PendingDeletion.all() if only is None else PendingDeletion.filter(id__in=list(only))
    removed = kept = 0
    for row in await query.order_by("id").limit(limit):
        if await _still_used(row.key):
            kept += 1
        else:
            try:
                await store.client.remove_object(store.bucket, row.key)
            except STORAGE_ERRORS:
                await PendingDeletion.filter(id=row.id).update(attempts=row.attempts + 1)
                log.warning("could not remove %s; it is removed when storage answers again", row.key, exc_info=True)
                return SweepResult(removed=removed, kept=kept, interrupted=True)
            removed += 1
        await PendingDeletion.filter(id=row.id).delete()
    return SweepResult(removed=removed, kept=kept, interrupted=False)


async def sweep_now(*, store: ObjectStore, pending_ids: Sequence[int], timeout_seconds: float) -> None:
    """Tries to remove just-queued objects within the caller's time; the timer finishes otherwise."""
    if not pending_ids:
        return
    try:
        async with asyncio.timeout(timeout_seconds):
            await sweep(store=store, limit=len(pending_ids), only=pending_ids)
    except TimeoutError:
        log.info("storage is slow: %d object(s) left to the deletion sweep", len(pending_ids))
