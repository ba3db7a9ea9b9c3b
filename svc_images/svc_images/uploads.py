"""Streaming an upload to S3: type and header checked first, size enforced while it flows."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc

from pixelflow.errors import DomainError, InvalidArgument, TooLarge, Unavailable, UnsupportedMediaType
from pixelflow.media.storage import STORAGE_ERRORS, ObjectStore
from pixelflow.options import ProcessingOptions
from svc_images.jpeg import JpegHeaderWalker, JpegScanCounter
from svc_images.models import Image
from svc_images.options import check_for_image
from svc_images.probe import (
    MAGIC_BYTES_NEEDED,
    NOT_SUPPORTED,
    Header,
    UnreadableHeader,
    read_header,
    sniff_content_type,
)
from svc_images.queue import JobQueue
from svc_images.records import ImageRecord, image_record
from svc_images.stored_header import ReadBudget, read_stored_header

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 255


# Types whose header may lie past the probe: a JPEG's is found as the bytes stream by, the others'
# are read back from the stored object (see stored_header).
LATE_HEADER_WHILE_STREAMING = frozenset({"image/jpeg"})
LATE_HEADER_FROM_STORAGE = frozenset({"image/tiff", "image/heif", "image/heic", "image/avif"})


# What a caller that does not say gets: the settings' defaults.
DEFAULT_LATE_HEADER_BUDGET = ReadBudget(block_bytes=64 * 1024, max_reads=64, timeout_seconds=30.0)


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int
    probe_bytes: int
    max_jpeg_scans: int
    # Raised past `max_bytes` when that is not the file-size limit (the room left in a quota).
    over_max_bytes: DomainError | None = None
    max_jpeg_segments: int = 4096
    late_header: ReadBudget = DEFAULT_LATE_HEADER_BUDGET


ORIGINALS_PREFIX = "originals/"


def original_key(owner_id: str, image_id: uuid.UUID) -> str:
    return f"{ORIGINALS_PREFIX}{owner_id}/{image_id}"


def clean_name(filename: str) -> str:
    """The name as data: control characters dropped, bounded length; never used in a path."""
    printable = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C")
    return printable.strip()[:MAX_NAME_LENGTH] or "unnamed"


class UploadStream:
    """Serves `read(n)` to the S3 client from incoming chunks, refusing the upload past the limits.

    The header is read from the first `probe_bytes` when it is there (nearly always). When it is
    not, a JPEG's is found by walking its segments as they stream by (refused midway if it is over
    the limits); a TIFF's or HEIF's is read from the stored object afterwards (`header` stays None).
    """

    def __init__(self, chunks: AsyncIterator[bytes], limits: UploadLimits) -> None:
        self._chunks = chunks
        self._limits = limits
        # Chunks as they came, joined once per read: no growing buffer, no second copy of a part.
        self._pending: deque[bytes] = deque()
        self._pending_size = 0
        self._ended = False
        self._scans: JpegScanCounter | None = None
        self._walker: JpegHeaderWalker | None = None
        self.size = 0
        self.content_type = ""
        self.header: Header | None = None

    async def _pull(self) -> bool:
        chunk = await anext(self._chunks, None)
        if chunk is None:
            self._ended = True
            if self._walker is not None and self.header is None:
                raise UnreadableHeader()
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
        if self._walker is not None and self.header is None:
            await self._walk(chunk)
        return True

    async def _walk(self, chunk: bytes) -> None:
        assert self._walker is not None
        self._walker.feed(chunk)
        if self._walker.header is not None:
            self.header = await read_header(
                self._walker.header, content_type=self.content_type, max_pixels=self._limits.max_pixels
            )

    async def probe(self) -> None:
        """Reads just enough to know the type, and the dimensions when the header is near the start,
        before anything is stored."""
        while self._pending_size < self._limits.probe_bytes and await self._pull():
            pass
        if self.size == 0:
            raise InvalidArgument("the file is empty")
        buffered = b"".join(self._pending)
        head = buffered[: self._limits.probe_bytes]
        content_type = sniff_content_type(head) if len(head) >= MAGIC_BYTES_NEEDED else None
        if content_type is None:
            raise UnsupportedMediaType(NOT_SUPPORTED)
        self.content_type = content_type
        if content_type == "image/jpeg":
            self._scans = JpegScanCounter(self._limits.max_jpeg_scans)
            self._scans.feed(buffered)  # what was read so far; every later chunk as it comes
        try:
            self.header = await read_header(head, content_type=content_type, max_pixels=self._limits.max_pixels)
        except UnreadableHeader:
            if self.size <= self._limits.probe_bytes:
                raise  # the whole file was there: its header is broken, not late
            if content_type in LATE_HEADER_WHILE_STREAMING:
                self._walker = JpegHeaderWalker(
                    max_header_bytes=self._limits.probe_bytes, max_segments=self._limits.max_jpeg_segments
                )
                await self._walk(buffered)
                if self._ended and self.header is None:
                    raise
            elif content_type not in LATE_HEADER_FROM_STORAGE:
                raise

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
    options: ProcessingOptions | None = None,
    batch_id: str | None = None,
) -> ImageRecord:
    """`options` (checked already) are stored with the image; refused here, before anything is
    stored, when the output they ask of this image would pass the pixel limit."""
    stream = UploadStream(chunks, limits)
    await stream.probe()
    if options is not None and stream.header is not None:
        header = stream.header
        check_for_image(
            options, width=header.width, height=header.height, frames=header.frames, max_pixels=limits.max_pixels
        )
    image_id = uuid.uuid4()
    key = original_key(owner_id, image_id)
    try:
        try:
            await store.put_stream(key, stream, content_type=stream.content_type)
            header = stream.header or await read_stored_header(
                store=store,
                key=key,
                size=stream.size,
                content_type=stream.content_type,
                max_pixels=limits.max_pixels,
                budget=limits.late_header,
            )
            if options is not None:  # a header past the probe: checked once read back
                check_for_image(
                    options,
                    width=header.width,
                    height=header.height,
                    frames=header.frames,
                    max_pixels=limits.max_pixels,
                )
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
            options=options.as_dict() if options is not None else None,
            batch_id=uuid.UUID(batch_id) if batch_id else None,
        )
    except BaseException:
        # Refused, failed or cancelled midway: leave no object behind (a row was not written).
        await asyncio.shield(store.remove_quietly(key))
        raise
    await queue.enqueue_processing(image)
    return image_record(image)


async def drain_refused(chunks: AsyncIterator[bytes], *, max_bytes: int, timeout_seconds: float) -> None:
    """Reads and drops what a refused upload's client still sends, up to `max_bytes` or
    `timeout_seconds`, so that it hears the refusal.

    A gRPC status sent while the client is still writing reaches it, more often than not, as
    INTERNAL "Internal error from Core" on its failed write, and the call ends with that status,
    not the refusal: the edge would answer 502 for a 415. Once the client has sent its last chunk
    (it stops at the end of its body), the status arrives whole. Past the bounds the call ends
    anyway.
    """
    drained = 0
    try:
        async with asyncio.timeout(timeout_seconds):
            async for chunk in chunks:
                drained += len(chunk)
                if drained > max_bytes:
                    return
    except (TimeoutError, DomainError, grpc.RpcError):
        return
