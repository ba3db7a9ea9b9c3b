"""A user's images: lookups, pages, an output's download. Another user's image does not exist."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from miniopy_async.error import S3Error
from tortoise.expressions import Q

from pixelflow.errors import NotFound, NotReady
from pixelflow.media.storage import ObjectStore, StoredObject, is_missing
from pixelflow.outputs import OutputResult
from svc_images.cursors import decode_cursor, encode_cursor
from svc_images.models import Image, Status
from svc_images.records import ImageRecord, image_records, load_record

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


async def find_image(*, image_id: str, owner_id: str | None = None) -> Image:
    """The image row, when `image_id` names one (of `owner_id`'s, when given); NotFound otherwise."""
    try:
        query = Image.filter(id=uuid.UUID(image_id))
    except ValueError as exc:
        raise NotFound("image not found") from exc
    image = await (query if owner_id is None else query.filter(user_id=owner_id)).first()
    if image is None:
        raise NotFound("image not found")
    return image


async def get_image(*, owner_id: str, image_id: str) -> ImageRecord:
    return await load_record(await find_image(image_id=image_id, owner_id=owner_id))


async def latest_image(*, owner_id: str) -> ImageRecord:
    image = await Image.filter(user_id=owner_id).order_by("-uploaded_at", "-id").first()
    if image is None:
        raise NotFound("no image uploaded yet")
    return await load_record(image)


async def list_images(
    *, owner_id: str, page_size: int, page_token: str, cursor_key: bytes
) -> tuple[list[ImageRecord], str]:
    """Newest first; the signed token names the last image of the previous page (keyset pagination)."""
    size = DEFAULT_PAGE_SIZE if page_size <= 0 else min(page_size, MAX_PAGE_SIZE)
    query = Image.filter(user_id=owner_id)
    if page_token:
        uploaded_at, image_id = decode_cursor(key=cursor_key, token=page_token)
        query = query.filter(Q(uploaded_at__lt=uploaded_at) | Q(uploaded_at=uploaded_at, id__lt=image_id))
    images = await query.order_by("-uploaded_at", "-id").limit(size + 1)
    if len(images) > size:
        last = images[size - 1]
        token = encode_cursor(key=cursor_key, uploaded_at=last.uploaded_at, image_id=last.id)
        return await image_records(images[:size]), token
    return await image_records(images), ""


@asynccontextmanager
async def open_output(
    *, owner_id: str, image_id: str, name: str, store: ObjectStore
) -> AsyncIterator[tuple[OutputResult, StoredObject, AsyncIterator[bytes]]]:
    """The stored output `name` of a done image, with the record that says its content type."""
    image = await get_image(owner_id=owner_id, image_id=image_id)
    output = image.output(name)
    if image.status is not Status.DONE or output is None:
        raise NotReady(f"the {name} image is not ready (status: {image.status.value})")
    async with AsyncExitStack() as stack:
        try:
            stored, chunks = await stack.enter_async_context(store.open(output.key))
        except S3Error as exc:
            if not is_missing(exc):
                raise
            # Not S3 being down: retrying would not bring it back.
            log.warning("image %s is done but %s is not in the bucket", image.id, output.key)
            raise NotFound(f"the {name} file of this image is missing from storage") from exc
        yield output, stored, chunks
