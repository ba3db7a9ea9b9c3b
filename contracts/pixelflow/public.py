"""The image as the HTTP API returns it and `image.updated` carries it: one schema for both, so the
OpenAPI document describes what the browser receives either way."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from pixelflow.images.v1 import images_pb2
from pixelflow.options import (
    DEFAULT_QUALITY,
    MAX_QUALITY,
    MAX_SIDE,
    MIN_QUALITY,
    MIN_SIDE,
    ProcessingOptions,
    options_from_message,
)
from pixelflow.outputs import FORMATS
from pixelflow.protobuf import datetime_from

ImageStatus = Literal["queued", "processing", "done", "failed"]
STATUS_NAMES: dict[int, ImageStatus] = {
    images_pb2.IMAGE_STATUS_QUEUED: "queued",
    images_pb2.IMAGE_STATUS_PROCESSING: "processing",
    images_pb2.IMAGE_STATUS_DONE: "done",
    images_pb2.IMAGE_STATUS_FAILED: "failed",
}
FORMAT_OF_TYPE = {output.content_type: name for name, output in FORMATS.items()}
# Times stay `datetime.isoformat()` strings ("+00:00", as always sent), which pydantic would write as "Z".
_TIMESTAMP: JsonDict = {"format": "date-time"}


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 127 or 127.0, never "127" or true (pydantic's lax mode takes both)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be an integer")
    return value


Quality = Annotated[int, Field(ge=MIN_QUALITY, le=MAX_QUALITY), BeforeValidator(_json_integer)]
Side = Annotated[int, Field(ge=MIN_SIDE, le=MAX_SIDE), BeforeValidator(_json_integer)]


class PublicOptions(BaseModel):
    """How the `optimized` result is made (the body of a conversion; in the image, what it was made with)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["webp", "avif", "jpeg", "png"] = "webp"
    quality: Quality = Field(DEFAULT_QUALITY, description="ignored for png")
    width: Side | None = Field(None, description="of the box (webp: at most 16383)")
    height: Side | None = Field(None, description="of the box (webp: at most 16383)")
    fit: Literal["inside", "cover", "fill"] = Field(
        "inside", description="inside: aspect kept within the box; cover: fills it, cropped; fill: stretched"
    )
    enlarge: bool = Field(False, strict=True, description="scale a smaller image up to the box")

    def domain(self) -> ProcessingOptions:
        return ProcessingOptions(**self.model_dump())

    @classmethod
    def from_message(cls, options: images_pb2.ProcessingOptions) -> PublicOptions:
        return cls(**options_from_message(options).as_dict())


class PublicVariant(BaseModel):
    """One stored rendition of the image: `thumbnail`, `w320` … `w2048` (widths narrower than the
    image only), `optimized` (full size)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    width: int
    height: int
    format: str
    size_bytes: int
    url: str

    @classmethod
    def from_message(cls, image_id: str, variant: images_pb2.Variant) -> PublicVariant:
        return cls(
            name=variant.name,
            width=variant.width,
            height=variant.height,
            format=variant.content_type.removeprefix("image/"),
            size_bytes=variant.size_bytes,
            url=f"/api/images/{image_id}/variants/{variant.name}",
        )


class PublicImage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    original_name: str
    status: ImageStatus
    content_type: str
    width: int | None
    height: int | None
    downscaled: bool = Field(
        description="the optimized image is smaller than the original: its options' box, or its format's side"
        " (WebP: 16383 pixels; width/height say to what)"
    )
    size_bytes: int
    optimized_size_bytes: int | None
    uploaded_at: str | None = Field(json_schema_extra=_TIMESTAMP)
    processed_at: str | None = Field(json_schema_extra=_TIMESTAMP)
    error: str | None
    optimized_url: str | None
    options: PublicOptions | None = Field(description="what it was converted with (null: before options, the defaults)")
    optimized_content_type: str | None = Field(description="the type of the optimized result, once done")
    optimized_format: str | None = Field(description="its format (webp, avif, jpeg, png), once done")
    placeholder: str | None = Field(
        description="ThumbHash (base64) to paint before any variant has loaded; null until known"
    )
    original_has_location: bool = Field(
        description="the original, as uploaded, holds a GPS position in its metadata (no variant does)"
    )
    variants: list[PublicVariant] = Field(
        description="smallest first; all once done, the thumbnail alone while processing, none otherwise"
    )

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
            options=PublicOptions.from_message(image.options) if image.HasField("options") else None,
            optimized_content_type=image.optimized_content_type or None,
            optimized_format=FORMAT_OF_TYPE.get(image.optimized_content_type),
            placeholder=image.placeholder or None,
            original_has_location=image.original_has_location,
            variants=[PublicVariant.from_message(image.id, variant) for variant in image.variants],
        )


class ImagePage(BaseModel):
    """One page of the person's images, newest first."""

    items: list[PublicImage]
    next_cursor: str | None
