"""Reading an image's header from its stored original, when the header lies past the probe.

A TIFF's directory is where libtiff writes it, after the pixel data at the end of the file; a HEIF
may put its `meta` box after `mdat`. No prefix of the stream holds their geometry, and to wait for
the end while streaming would mean holding the whole file. So such an upload is streamed to S3
first (bounded by the size limit like any other), then libvips reads its header from the object
through a custom source whose reads are ranged GETs: a few small reads, bounded in count and size
by settings, and no pixel decoded. Over the pixel limit, or unreadable within that budget, the
upload is refused and the caller removes the object before any row is written.

(A JPEG's late frame header is found while streaming instead, see `jpeg.JpegHeaderWalker`: its
segments come in order, and libjpeg would keep the skipped metadata in memory.)
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict
from dataclasses import dataclass

import pyvips

from pixelflow.errors import DomainError, Unavailable
from pixelflow.media.storage import STORAGE_ERRORS, ObjectStore
from svc_images.probe import Header, UnreadableHeader, check_pixels, describe

READ_ERRORS: tuple[type[BaseException], ...] = (*STORAGE_ERRORS, TimeoutError)
BLOCKS_KEPT = 4  # libtiff returns to the file's first block after reading its directory


@dataclass(frozen=True)
class ReadBudget:
    block_bytes: int
    max_reads: int
    timeout_seconds: float


class RangedObject:
    """A stored object as libvips reads a file: seeks are free, reads come from whole blocks fetched
    by ranged GETs on the event loop (this runs in a worker thread), at most `max_reads` of them,
    all within `timeout_seconds`."""

    def __init__(
        self, *, store: ObjectStore, key: str, size: int, budget: ReadBudget, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._store = store
        self._key = key
        self._size = size
        self._budget = budget
        self._loop = loop
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._position = 0
        self._deadline = time.monotonic() + budget.timeout_seconds
        self.reads = 0
        # libvips sees a failed read as the end of the file; the reason is raised after it gives up.
        self.failure: DomainError | None = None

    def read(self, length: int) -> bytes:
        if self.failure is not None or self._position >= self._size or length <= 0:
            return b""
        index, start = divmod(self._position, self._budget.block_bytes)
        block = self._block(index)
        data = block[start : start + length]
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._size}.get(whence)
        if base is None or base + offset < 0:
            return -1
        self._position = base + offset
        return self._position

    def _block(self, index: int) -> bytes:
        if index in self._blocks:
            self._blocks.move_to_end(index)
            return self._blocks[index]
        if self.reads >= self._budget.max_reads:
            self.failure = UnreadableHeader(f"within {self._budget.max_reads} reads")
            return b""
        self.reads += 1
        offset = index * self._budget.block_bytes
        fetch = self._store.read_range(self._key, offset=offset, length=self._budget.block_bytes)
        future = asyncio.run_coroutine_threadsafe(fetch, self._loop)
        try:
            block = future.result(timeout=max(self._deadline - time.monotonic(), 0))
        except READ_ERRORS:
            future.cancel()
            self.failure = Unavailable("image storage is unavailable, try again shortly")
            return b""
        self._blocks[index] = block
        if len(self._blocks) > BLOCKS_KEPT:
            self._blocks.popitem(last=False)
        return block

    def source(self) -> pyvips.SourceCustom:
        source = pyvips.SourceCustom()
        source.on_read(self.read)
        source.on_seek(self.seek)
        return source


def _read_stored_header(ranged: RangedObject, content_type: str) -> Header:
    try:
        image = pyvips.Image.new_from_source(ranged.source(), "", access="sequential")
    except pyvips.Error as exc:
        raise (ranged.failure or UnreadableHeader()) from exc
    if ranged.failure is not None:
        raise ranged.failure
    return describe(image, content_type=content_type)


async def read_stored_header(
    *, store: ObjectStore, key: str, size: int, content_type: str, max_pixels: int, budget: ReadBudget
) -> Header:
    """The header of the object at `key` (`size` bytes), read with ranged GETs within `budget`;
    refuses images over `max_pixels`."""
    ranged = RangedObject(store=store, key=key, size=size, budget=budget, loop=asyncio.get_running_loop())
    header = await asyncio.to_thread(_read_stored_header, ranged, content_type)
    return check_pixels(header, max_pixels=max_pixels)
