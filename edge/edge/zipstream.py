"""ZIP archives built while they are sent: the export, and any later download of many files.

stream-zip (maintained by the UK Department for Business and Trade) writes each member as its bytes
arrive, with a data descriptor after it, so neither a member nor the archive is ever held whole:
memory stays at a chunk or two whatever the archive's size. Members are ZIP64 (an export may pass
4 GiB) and deflated at level 0: photos are compressed already, so a stored deflate stream costs no
CPU, while stream-zip's own "no compression" mode must know each member's CRC before its bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stream_zip import ZIP_64, async_stream_zip

FILE_MODE = 0o600


@dataclass(frozen=True)
class ZipMember:
    path: str
    modified_at: datetime
    chunks: AsyncIterable[bytes]


def _stored_deflate() -> Any:
    return zlib.compressobj(level=0, wbits=-zlib.MAX_WBITS)


async def single(data: bytes) -> AsyncIterator[bytes]:
    """The chunks of a member that is already in memory (a manifest)."""
    yield data


async def zip_stream(members: AsyncIterable[ZipMember], *, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """The archive of `members`, in order, each read only when the archive reaches it."""

    async def files() -> AsyncIterator[tuple[str, datetime, int, Any, AsyncIterable[bytes]]]:
        async for member in members:
            yield member.path, member.modified_at, FILE_MODE, ZIP_64, member.chunks

    async for chunk in async_stream_zip(files(), chunk_size=chunk_size, get_compressobj=_stored_deflate):
        yield chunk
