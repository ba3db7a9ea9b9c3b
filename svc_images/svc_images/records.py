"""What the domain functions return: plain records of an image and its outputs, not ORM rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pixelflow.options import ProcessingOptions
from pixelflow.outputs import OutputResult, result_of
from svc_images.models import Image, ImageOutput, Status
from svc_images.options import stored
from svc_images.outputs import OPTIMIZED


@dataclass(frozen=True)
class ImageRecord:
    id: uuid.UUID
    user_id: uuid.UUID
    original_name: str
    content_type: str
    original_key: str
    status: Status
    # The original's dimensions.
    width: int
    height: int
    size_bytes: int
    error: str | None
    uploaded_at: datetime
    processed_at: datetime | None
    outputs: tuple[OutputResult, ...] = ()
    # What it was converted with (pixelflow.options); None: from before options, the defaults.
    options: ProcessingOptions | None = None
    # ThumbHash (base64); None until made (or when its backfill failed).
    placeholder: str | None = None
    original_has_location: bool = False

    def output(self, name: str) -> OutputResult | None:
        return next((output for output in self.outputs if output.name == name), None)

    @property
    def optimized(self) -> OutputResult | None:
        return self.output(OPTIMIZED)


def image_record(image: Image, outputs: Sequence[ImageOutput] = ()) -> ImageRecord:
    return ImageRecord(
        id=image.id,
        user_id=image.user_id,
        original_name=image.original_name,
        content_type=image.content_type,
        original_key=image.original_key,
        status=image.status,
        width=image.width,
        height=image.height,
        size_bytes=image.size_bytes,
        error=image.error,
        uploaded_at=image.uploaded_at,
        processed_at=image.processed_at,
        outputs=tuple(result_of(row) for row in sorted(outputs, key=lambda row: row.name)),
        options=stored(image.options),
        placeholder=image.placeholder or None,
        original_has_location=image.original_has_location,
    )


async def image_records(images: Sequence[Image]) -> list[ImageRecord]:
    """The records of `images`, their outputs fetched in one query."""
    if not images:
        return []
    rows = await ImageOutput.filter(image_id__in=[image.id for image in images])
    by_image: dict[uuid.UUID, list[ImageOutput]] = {}
    for row in rows:
        by_image.setdefault(row.image_id, []).append(row)  # type: ignore[attr-defined]
    return [image_record(image, by_image.get(image.id, ())) for image in images]


async def load_record(image: Image) -> ImageRecord:
    return (await image_records([image]))[0]
