"""Output specs and results as both services hold them, and their one mapping to the wire.

svc_images decides an image's outputs (`OutputSpec`) and stores each key it planned; svc_worker
renders the specs and reports one `OutputResult` a spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pixelflow.images.v1 import images_pb2


@dataclass(frozen=True)
class OutputFormat:
    extension: str
    content_type: str


# The formats an output may be written in.
FORMATS = {
    "webp": OutputFormat(extension="webp", content_type="image/webp"),
    "avif": OutputFormat(extension="avif", content_type="image/avif"),
    "jpeg": OutputFormat(extension="jpg", content_type="image/jpeg"),
    "png": OutputFormat(extension="png", content_type="image/png"),
}


@dataclass(frozen=True)
class OutputSpec:
    name: str
    format: str
    quality: int
    # The encoder's speed/size trade-off (libwebp's method, 0-6; other formats: the worker's setting).
    effort: int
    # The box of the output (by default: bounds, aspect ratio kept, never enlarged); 0: no bound on
    # that side but the format's own limit.
    max_width: int = 0
    max_height: int = 0
    # How the image meets the box (pixelflow.options.FITS), and whether it may grow to it.
    fit: str = "inside"
    enlarge: bool = False
    # Cover-crop (centred) to exactly max_width × max_height instead of fitting within them.
    crop: bool = False
    # Skipped, with no result, unless the upright image is wider than max_width (responsive widths).
    only_if_narrower: bool = False
    # Rendered first and reported before the others (the thumbnail: progressive results).
    early: bool = False


@dataclass(frozen=True)
class OutputResult:
    """One rendered output, as stored at `key`."""

    name: str
    key: str
    content_type: str
    width: int
    height: int
    size_bytes: int


def spec_message(spec: OutputSpec, *, key: str) -> images_pb2.OutputSpec:
    return images_pb2.OutputSpec(
        name=spec.name,
        format=spec.format,
        quality=spec.quality,
        effort=spec.effort,
        max_width=spec.max_width,
        max_height=spec.max_height,
        key=key,
        fit=spec.fit,
        enlarge=spec.enlarge,
        crop=spec.crop,
        only_if_narrower=spec.only_if_narrower,
        early=spec.early,
    )


def spec_from_message(message: images_pb2.OutputSpec) -> OutputSpec:
    return OutputSpec(
        name=message.name,
        format=message.format,
        quality=message.quality,
        effort=message.effort,
        max_width=message.max_width,
        max_height=message.max_height,
        # A svc_images older than options sends no fit: its one spec fits inside.
        fit=message.fit or "inside",
        enlarge=message.enlarge,
        crop=message.crop,
        only_if_narrower=message.only_if_narrower,
        early=message.early,
    )


def result_message(result: OutputResult) -> images_pb2.OutputResult:
    return images_pb2.OutputResult(
        name=result.name,
        key=result.key,
        content_type=result.content_type,
        width=result.width,
        height=result.height,
        size_bytes=result.size_bytes,
    )


class ResultFields(Protocol):
    """Whatever carries a result's fields by name: its wire message, or svc_images' row."""

    @property
    def name(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def size_bytes(self) -> int: ...


def result_of(source: ResultFields) -> OutputResult:
    return OutputResult(
        name=source.name,
        key=source.key,
        content_type=source.content_type,
        width=source.width,
        height=source.height,
        size_bytes=source.size_bytes,
    )
