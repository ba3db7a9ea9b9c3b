"""Streaming an upload to S3: type and header checked first, size enforced while it flows."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from pixelflow.errors import DomainError, InvalidArgument, TooLarge, Unavailable, UnsupportedMediaType
from pixelflow.storage import STORAGE_ERRORS, ObjectStore
from svc_images.models import Image
from svc_images.probe import MAGIC_BYTES_NEEDED, NOT_SUPPORTED, Header, read_header, sniff_content_type
from svc_images.queue import JobQueue

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int
    probe_bytes: int
    max_jpeg_scans: int
    # Raised past `max_bytes` when that is not the file-size limit (the room left in a quota).
    over_max_bytes: DomainError | None = None


class JpegScanCounter:
    """Counts start-of-scan markers (FF DA) as bytes stream by.

    libjpeg only warns about a bogus progression, so a JPEG repeating one scan thousands of times
    decodes every repeat: seconds to minutes of CPU from a small file. Entropy-coded data stuffs
    every FF byte, so FF DA appears only as a marker (or, rarely, inside metadata: an overcount).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.scans = 0
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        self.scans += (self._last + chunk[:1]).count(b"\xff\xda") + chunk.count(b"\xff\xda")
        self._last = chunk[-1:]
        if self.scans > self.limit:
            raise InvalidArgument(f"the JPEG has more than {self.limit} scans")


def original_key(owner_id: str, image_id: uuid.UUID) -> str:
    return f"originals/{owner_id}/{image_id}"


def clean_name(filename: str) -> str:
    """The name as data: control characters dropped, bounded length; never used in a path."""
    printable = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C")
    return printable.strip()[:MAX_NAME_LENGTH] or "unnamed"


class UploadStream:
    """Serves `read(n)` to the S3 client from incoming chunks, refusing the upload past the limits."""

    def __init__(self, chunks: AsyncIterator[bytes], limits: UploadLimits) -> None:
        self._chunks = chunks
        self._limits = limits
        # Chunks as they came, joined once per read: no growing buffer, no second copy of a part.
        self._pending: deque[bytes] = deque()
        self._pending_size = 0
        self._ended = False
        self._scans: JpegScanCounter | None = None
        self.size = 0

    async def _pull(self) -> bool:
        chunk = await anext(self._chunks, None)
        if chunk is None:
            self._ended = True
            return False
        self.size += len(chunk)
        if self.size > self._limits.max_bytes:
            raise self._limits.over_max_bytes or TooLarge(
                f"file is larger than the limit of {self._limits.max_bytes:,} bytes"
            )
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._scans is not None:
            self._scans.feed(chunk)
        return True

    async def probe(self) -> Header:
        """Reads just enough to know the type and dimensions, before anything is stored."""
        while self._pending_size < self._limits.probe_bytes and await self._pull():
            pass
        if self.size == 0:
            raise InvalidArgument("the file is empty")
        buffered = b"".join(self._pending)
        head = buffered[: self._limits.probe_bytes]
        if len(head) < MAGIC_BYTES_NEEDED or sniff_content_type(head) is None:
            raise UnsupportedMediaType(NOT_SUPPORTED)
        header = await read_header(head, max_pixels=self._limits.max_pixels)
        if header.content_type == "image/jpeg":
            self._scans = JpegScanCounter(self._limits.max_jpeg_scans)
            self._scans.feed(buffered)  # what was read so far; every later chunk as it comes
        return header

    async def read(self, size: int = -1) -> bytes:
        while (size < 0 or self._pending_size < size) and not self._ended:
            await self._pull()
        wanted = self._pending_size if size < 0 else min(size, self._pending_size)
        parts: list[bytes] = []
        taken = 0
        while taken < wanted:
            chunk = self._pending.popleft()
            if taken + len(chunk) > wanted:
                cut = wanted - taken
                self._pending.appendleft(chunk[cut:])
                chunk = chunk[:cut]
            parts.append(chunk)
            taken += len(chunk)
        self._pending_size -= taken
        return b"".join(parts)


async def upload_image(
    *,
    owner_id: str,
    filename: str,
    chunks: AsyncIterator[bytes],
    store: ObjectStore,
    queue: JobQueue,
    limits: UploadLimits,
) -> Image:
    stream = UploadStream(chunks, limits)
    header = await stream.probe()
    image_id = uuid.uuid4()
    key = original_key(owner_id, image_id)
    try:
        try:
            await store.put_stream(key, stream, content_type=header.content_type)
        except DomainError:
            raise
        except STORAGE_ERRORS as exc:
            raise Unavailable("image storage is unavailable, try again shortly") from exc
        image = await Image.create(
            id=image_id,
            user_id=owner_id,
            original_name=clean_name(filename),
            content_type=header.content_type,
            original_key=key,
            width=header.width,
            height=header.height,
            size_bytes=stream.size,
        )
    except BaseException:
        # Refused, failed or cancelled midway: leave no object behind (a row was not written).
        await asyncio.shield(store.remove_quietly(key))
        raise
    await queue.enqueue_processing(image)
    return image
