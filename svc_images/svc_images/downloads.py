"""An image's files by name: one of its stored outputs, or the original as uploaded.

An output is served as soon as its row exists (a thumbnail stored before the image is done is
there to be shown). One the image has no row for is not ready while the image is queued or
processing, and does not exist otherwise (an unknown name, a failed image, or a width the image
is too narrow for).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from miniopy_async.error import S3Error

from pixelflow.errors import NotFound, NotReady
from pixelflow.links import ORIGINAL, is_variant_name
from pixelflow.media.storage import ObjectStore, is_missing
from pixelflow.outputs import OutputResult
from svc_images.library import get_image
from svc_images.models import Status
from svc_images.records import ImageRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Download:
    """What is known about a file before its first byte is sent."""

    content_type: str
    size: int
    etag: str
    # Only for the original: the name it was uploaded under (an attachment's filename).
    filename: str = ""


Opened = tuple[Download, AsyncIterator[bytes]]


def stored_output(image: ImageRecord, name: str) -> OutputResult:
    """The output `name` of the image: not ready while the image is still being rendered (409, as
    `/optimized` answers), not found when it is not a name the image has or will have."""
    output = image.output(name) if is_variant_name(name) and name != ORIGINAL else None
    if output is not None:
        return output
    if is_variant_name(name) and image.status in (Status.QUEUED, Status.PROCESSING):
        raise NotReady(f"the {name} variant is not ready yet (status: {image.status.value})")
    raise NotFound(f"this image has no {name!r} variant")


@asynccontextmanager
async def open_file(*, image: ImageRecord, variant: str, store: ObjectStore) -> AsyncIterator[Opened]:
    """The file `variant` (`original` or an output's name) of an image already found for the caller."""
    if variant == ORIGINAL:
        # The type sniffed from the bytes at upload, never the one the client declared.
        key, content_type, filename = image.original_key, image.content_type, image.original_name
    else:
        output = stored_output(image, variant)
        key, content_type, filename = output.key, output.content_type, ""
    async with AsyncExitStack() as stack:
        try:
            stored, chunks = await stack.enter_async_context(store.open(key))
        except S3Error as exc:
            if not is_missing(exc):
                raise
            # Not S3 being down: retrying would not bring it back.
            log.warning("image %s names %s, which is not in the bucket", image.id, key)
            raise NotFound(f"the {variant} file of this image is missing from storage") from exc
        yield Download(content_type=content_type, size=stored.size, etag=stored.etag, filename=filename), chunks


@asynccontextmanager
async def open_variant(*, owner_id: str, image_id: str, name: str, store: ObjectStore) -> AsyncIterator[Opened]:
    """A stored output of the owner's image; `original` is not an output (see `open_original`)."""
    image = await get_image(owner_id=owner_id, image_id=image_id)
    if name == ORIGINAL:
        raise NotFound("the original is not a stored variant: it has a download of its own")
    async with open_file(image=image, variant=name, store=store) as opened:
        yield opened


@asynccontextmanager
async def open_original(*, owner_id: str, image_id: str, store: ObjectStore) -> AsyncIterator[Opened]:
    image = await get_image(owner_id=owner_id, image_id=image_id)
    async with open_file(image=image, variant=ORIGINAL, store=store) as opened:
        yield opened
