"""The image as the HTTP API returns it and `image.updated` carries it: one schema for both, so the
OpenAPI document describes what the browser receives either way."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from pixelflow.images.v1 import images_pb2
from pixelflow.protobuf import datetime_from

ImageStatus = Literal["queued", "processing", "done", "failed"]
STATUS_NAMES: dict[int, ImageStatus] = {
    images_pb2.IMAGE_STATUS_QUEUED: "queued",
    images_pb2.IMAGE_STATUS_PROCESSING: "processing",
    images_pb2.IMAGE_STATUS_DONE: "done",
    images_pb2.IMAGE_STATUS_FAILED: "failed",
}
# Times stay `datetime.isoformat()` strings ("+00:00", as always sent), which pydantic would write as "Z".
_TIMESTAMP: JsonDict = {"format": "date-time"}


class PublicImage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    original_name: str
    status: ImageStatus
    content_type: str
    width: int | None
    height: int | None
    downscaled: bool = Field(
        description="the optimized image was scaled down to fit WebP's 16383-pixel side (width/height say to what)"
    )
    size_bytes: int
    optimized_size_bytes: int | None
    uploaded_at: str | None = Field(json_schema_extra=_TIMESTAMP)
    processed_at: str | None = Field(json_schema_extra=_TIMESTAMP)
    error: str | None
    optimized_url: str | None

    @classmethod
    def from_message(cls, image: images_pb2.Image) -> PublicImage:
        uploaded = datetime_from(image.uploaded_at, present=image.HasField("uploaded_at"))
        processed = datetime_from(image.processed_at, present=image.HasField("processed_at"))
        status = STATUS_NAMES.get(image.status, "queued")
        return cls(
            id=image.id,
            original_name=image.original_name,
            status=status,
            content_type=image.content_type,
            width=image.width or None,
            height=image.height or None,
            downscaled=image.downscaled,
            size_bytes=image.size_bytes,
            optimized_size_bytes=image.optimized_size_bytes or None,
            uploaded_at=uploaded.isoformat() if uploaded else None,
            processed_at=processed.isoformat() if processed else None,
            error=image.error or None,
            optimized_url=f"/api/images/{image.id}/optimized" if status == "done" else None,
        )


class ImagePage(BaseModel):
    """One page of the person's images, newest first."""

    items: list[PublicImage]
    next_cursor: str | None
