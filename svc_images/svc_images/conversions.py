"""Convert again: a new image of an original already stored, made with other options.

The new image shares the original object (its `original_key`), so no byte is copied and the quota
counts the original once; its own outputs are stored under its own id. The image it is made from is
left as it is. A deletion must remove the original only once no image row names its key.
"""

from __future__ import annotations

import uuid

from pixelflow.options import ProcessingOptions
from svc_images import quota
from svc_images.library import find_image
from svc_images.models import Image
from svc_images.options import check_for_image
from svc_images.queue import JobQueue
from svc_images.records import ImageRecord, image_record


async def convert_again(
    *,
    owner_id: str,
    image_id: str,
    options: ProcessingOptions,
    queue: JobQueue,
    max_pixels: int,
    policy: quota.QuotaPolicy,
) -> ImageRecord:
    """The new image, queued; NotFound for another person's image, InvalidArgument (naming the field)
    for options its original cannot be converted with, QuotaExceeded once the account is full (its
    result will take room)."""
    source = await find_image(image_id=image_id, owner_id=owner_id)
    check_for_image(options, width=source.width, height=source.height, max_pixels=max_pixels)
    # No byte is uploaded: only a full account is refused, as an upload would be.
    async with quota.reserve(owner_id=owner_id, policy=policy, max_bytes=1):
        image = await Image.create(
            id=uuid.uuid4(),
            user_id=source.user_id,
            original_name=source.original_name,
            content_type=source.content_type,
            original_key=source.original_key,
            width=source.width,
            height=source.height,
            size_bytes=source.size_bytes,
            options=options.as_dict(),
        )
    await queue.enqueue_processing(image)
    return image_record(image)
