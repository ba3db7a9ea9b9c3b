"""Batches: files uploaded together with the same options, followed as one, downloaded as one archive.

A batch is a row made before its first file streams; each file is an ordinary upload whose image
names the batch. Its counts are read from the images (a refused file has no image: the batch counts
it in `refused`), so they are never out of step with the images themselves.
"""

from __future__ import annotations

import asyncio
import posixpath
import uuid
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Count

from pixelflow.errors import NotFound
from pixelflow.options import ProcessingOptions
from pixelflow.outputs import OutputResult
from svc_images.cursors import decode_cursor, encode_cursor
from svc_images.export import safe_name
from svc_images.library import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from svc_images.models import Batch, Image, Status
from svc_images.options import stored
from svc_images.records import ImageRecord, image_records


@dataclass(frozen=True)
class BatchRecord:
    id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    options: ProcessingOptions | None
    queued: int = 0
    processing: int = 0
    done: int = 0
    # Images that failed, and files refused at upload.
    failed: int = 0
    images: tuple[ImageRecord, ...] = field(default=())

    @property
    def total(self) -> int:
        return self.queued + self.processing + self.done + self.failed


@dataclass(frozen=True)
class ArchiveFile:
    image: ImageRecord
    output: OutputResult
    # Unique in the archive: the original's name with the result's extension, `photo (2).webp` for
    # the second `photo.*`.
    path: str


def _batch_id(batch_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(batch_id)
    except ValueError as exc:
        raise NotFound("batch not found") from exc


async def find_batch(*, owner_id: str, batch_id: str) -> Batch:
    """The caller's batch; NotFound for another person's, exactly like a missing one."""
    batch = await Batch.filter(id=_batch_id(batch_id), user_id=owner_id).first()
    if batch is None:
        raise NotFound("batch not found")
    return batch


async def create_batch(*, owner_id: str, options: ProcessingOptions) -> BatchRecord:
    batch = await Batch.create(id=uuid.uuid4(), user_id=owner_id, options=options.as_dict())
    return BatchRecord(id=batch.id, user_id=batch.user_id, created_at=batch.created_at, options=options)


async def record_refused(*, owner_id: str, batch_id: str) -> None:
    """A file of the batch was refused at upload: it counts as failed."""
    await Batch.filter(id=_batch_id(batch_id), user_id=owner_id).update(refused=F("refused") + 1)


async def _counts(batch_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    rows: list[dict[str, Any]] = (
        await Image.filter(batch_id__in=batch_ids)
        .annotate(n=Count("id"))
        .group_by("batch_id", "status")
        .values("batch_id", "status", "n")
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["batch_id"], {})[str(Status(row["status"]).value)] = row["n"]
    return counts


def _record(batch: Batch, counts: dict[str, int], images: tuple[ImageRecord, ...] = ()) -> BatchRecord:
    return BatchRecord(
        id=batch.id,
        user_id=batch.user_id,
        created_at=batch.created_at,
        options=stored(batch.options),
        queued=counts.get(Status.QUEUED.value, 0),
        processing=counts.get(Status.PROCESSING.value, 0),
        done=counts.get(Status.DONE.value, 0),
        failed=counts.get(Status.FAILED.value, 0) + batch.refused,
        images=images,
    )


async def get_batch(*, owner_id: str, batch_id: str, with_images: bool = True) -> BatchRecord:
    batch = await find_batch(owner_id=owner_id, batch_id=batch_id)
    counts = (await _counts([batch.id])).get(batch.id, {})
    if not with_images:
        return _record(batch, counts)
    images = await Image.filter(batch_id=batch.id).order_by("uploaded_at", "id")
    return _record(batch, counts, tuple(await image_records(images)))


async def list_batches(
    *, owner_id: str, page_size: int, page_token: str, cursor_key: bytes
) -> tuple[list[BatchRecord], str]:
    """Newest first; the signed token names the last batch of the previous page (keyset pagination)."""
    size = DEFAULT_PAGE_SIZE if page_size <= 0 else min(page_size, MAX_PAGE_SIZE)
    query = Batch.filter(user_id=owner_id)
    if page_token:
        created_at, batch_id = decode_cursor(key=cursor_key, token=page_token)
        query = query.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=batch_id))
    batches = await query.order_by("-created_at", "-id").limit(size + 1)
    token = ""
    if len(batches) > size:
        batches = batches[:size]
        token = encode_cursor(key=cursor_key, uploaded_at=batches[-1].created_at, image_id=batches[-1].id)
    counts = await _counts([batch.id for batch in batches]) if batches else {}
    return [_record(batch, counts.get(batch.id, {})) for batch in batches], token


async def batch_of_image(*, image_id: str) -> tuple[str, str] | None:
    """(owner, batch) of an image uploaded in a batch; None otherwise (or when it is gone)."""
    row = await Image.filter(id=uuid.UUID(image_id)).values_list("user_id", "batch_id")
    if not row or row[0][1] is None:
        return None
    return str(row[0][0]), str(row[0][1])


# One lock per batch in this process: progress is counted and announced in turn, so a later count
# never goes out before an earlier one.
_progress_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def progress_lock(batch_id: str) -> asyncio.Lock:
    lock = _progress_locks.get(batch_id)
    if lock is None:
        lock = asyncio.Lock()
        _progress_locks[batch_id] = lock
    return lock


def archive_name(original_name: str, output: OutputResult, taken: set[str]) -> str:
    """`photo.jpg` → `photo.webp`; `photo (2).webp` when `photo.webp` is already in `taken`
    (compared without case: archives are unpacked on case-insensitive file systems too)."""
    stem = safe_name(posixpath.splitext(original_name)[0] or original_name)
    extension = posixpath.splitext(output.key)[1]
    name, n = f"{stem}{extension}", 1
    while name.lower() in taken:
        n += 1
        name = f"{stem} ({n}){extension}"
    taken.add(name.lower())
    return name


async def archive_files(*, owner_id: str, batch_id: str, page_size: int) -> AsyncIterator[ArchiveFile]:
    """The `optimized` result of every done image of the batch, oldest first, a page of rows at a
    time (only the names already given are held, to keep them unique)."""
    batch = await find_batch(owner_id=owner_id, batch_id=batch_id)
    taken: set[str] = set()
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = Image.filter(batch_id=batch.id, status=Status.DONE)
        if after is not None:
            uploaded_at, image_id = after
            query = query.filter(Q(uploaded_at__gt=uploaded_at) | Q(uploaded_at=uploaded_at, id__gt=image_id))
        page = await query.order_by("uploaded_at", "id").limit(page_size)
        if not page:
            return
        for record in await image_records(page):
            if (output := record.optimized) is not None:
                yield ArchiveFile(image=record, output=output, path=archive_name(record.original_name, output, taken))
        after = (page[-1].uploaded_at, page[-1].id)
