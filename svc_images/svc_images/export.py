"""The export of an account: every original and stored result, as files named for an archive.

Images are read a page at a time (keyset, oldest first), so what is held in memory is one page of
rows, whatever the account holds; the edge builds the ZIP from the stream as it is sent.
"""

from __future__ import annotations

import logging
import posixpath
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from miniopy_async.error import S3Error
from tortoise.expressions import Q

from pixelflow.media.storage import ObjectStore, StoredObject, is_missing
from svc_images.models import Image
from svc_images.outputs import OPTIMIZED
from svc_images.records import ImageRecord, image_records

log = logging.getLogger(__name__)

ORIGINAL = "original"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class ExportFile:
    image: ImageRecord
    # "original", or the output's name.
    kind: str
    # The file's path in the archive: never anything the person typed beyond a cleaned-up base name.
    path: str
    key: str
    content_type: str


def safe_name(name: str) -> str:
    """A base name fit for an archive path: no directory, no `..`, nothing but [A-Za-z0-9._-]."""
    cleaned = _UNSAFE.sub("_", posixpath.basename(name.replace("\\", "/"))).strip("._")
    return cleaned[:MAX_NAME_LENGTH] or "image"


def image_files(image: ImageRecord) -> list[ExportFile]:
    files = [
        ExportFile(
            image=image,
            kind=ORIGINAL,
            path=f"originals/{image.id}-{safe_name(image.original_name)}",
            key=image.original_key,
            content_type=image.content_type,
        )
    ]
    # The result a person asked for; the thumbnail and widths are renditions of it made for screens.
    for output in (output for output in image.outputs if output.name == OPTIMIZED):
        extension = posixpath.splitext(output.key)[1]
        files.append(
            ExportFile(
                image=image,
                kind=output.name,
                path=f"{safe_name(output.name)}/{image.id}{extension}",
                key=output.key,
                content_type=output.content_type,
            )
        )
    return files


async def export_files(*, owner_id: str, page_size: int) -> AsyncIterator[ExportFile]:
    """Every file of the owner's images, oldest image first."""
    after: tuple[object, uuid.UUID] | None = None
    while True:
        query = Image.filter(user_id=owner_id)
        if after is not None:
            uploaded_at, image_id = after
            query = query.filter(Q(uploaded_at__gt=uploaded_at) | Q(uploaded_at=uploaded_at, id__gt=image_id))
        page = await query.order_by("uploaded_at", "id").limit(page_size)
        if not page:
            return
        for record in await image_records(page):
            for file in image_files(record):
                yield file
        after = (page[-1].uploaded_at, page[-1].id)


@asynccontextmanager
async def open_file(
    file: ExportFile, *, store: ObjectStore
) -> AsyncIterator[tuple[StoredObject, AsyncIterator[bytes]] | None]:
    """The file's bytes; None when the object is missing (deleted meanwhile): the export goes on."""
    async with AsyncExitStack() as stack:
        try:
            opened = await stack.enter_async_context(store.open(file.key))
        except S3Error as exc:
            if not is_missing(exc):
                raise
            log.warning("export: %s of image %s is not in the bucket", file.key, file.image.id)
            yield None
            return
        yield opened
