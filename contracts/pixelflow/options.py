"""Processing options of an image (format, quality, size and fit of its `optimized` result), and the
one computation of the size they give, shared by the edge and svc_images (which refuse what cannot be
made) and svc_worker (which makes it).

Without options an image is converted exactly as before options existed: WebP at quality 80, full
size within WebP's own limit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pixelflow.errors import InvalidArgument
from pixelflow.images.v1 import images_pb2

OUTPUT_FORMATS = ("webp", "avif", "jpeg", "png")
FITS = ("inside", "cover", "fill")
DEFAULT_QUALITY = 80
MIN_QUALITY, MAX_QUALITY = 1, 100
MIN_SIDE, MAX_SIDE = 1, 16384
# The largest side each encoder writes (measured with pyvips-binary 8.18.7): libwebp's
# WEBP_MAX_DIMENSION; libvips' heifsave refuses "image too large" past 16384; libjpeg-turbo's
# JPEG_MAX_DIMENSION is 65500; PNG allows 2^31-1, capped here at what other decoders read.
FORMAT_MAX_SIDE = {"webp": 16383, "avif": 16384, "jpeg": 65500, "png": 65535}
# Form fields of an upload, in the order the OpenAPI document lists them.
OPTION_FIELDS = ("format", "quality", "width", "height", "fit", "enlarge")


@dataclass(frozen=True)
class ProcessingOptions:
    format: str = "webp"
    quality: int = DEFAULT_QUALITY
    # The box the output is fitted to; None: no bound on that side (the format's own limit).
    width: int | None = None
    height: int | None = None
    fit: str = "inside"
    enlarge: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> ProcessingOptions:
        return cls(**{key: stored[key] for key in OPTION_FIELDS if key in stored})

    @property
    def max_side(self) -> int:
        return FORMAT_MAX_SIDE[self.format]


def checked(options: ProcessingOptions) -> ProcessingOptions:
    """`options` when each value is in range and they make sense together; InvalidArgument naming the
    field otherwise. What depends on the image (its output's pixels) is `output_size`'s."""
    if options.format not in OUTPUT_FORMATS:
        raise InvalidArgument(f"format: must be one of {', '.join(OUTPUT_FORMATS)}", field="format")
    if not MIN_QUALITY <= options.quality <= MAX_QUALITY:
        raise InvalidArgument(f"quality: must be {MIN_QUALITY} to {MAX_QUALITY}", field="quality")
    if options.fit not in FITS:
        raise InvalidArgument(f"fit: must be one of {', '.join(FITS)}", field="fit")
    for name in ("width", "height"):
        side = getattr(options, name)
        if side is None:
            continue
        if not MIN_SIDE <= side <= MAX_SIDE:
            raise InvalidArgument(f"{name}: must be {MIN_SIDE} to {MAX_SIDE}", field=name)
        if side > options.max_side:
            raise InvalidArgument(
                f"{name}: {options.format} holds at most {options.max_side} pixels a side", field=name
            )
    if options.fit == "fill" and (options.width is None or options.height is None):
        missing = "width" if options.width is None else "height"
        raise InvalidArgument(f"{missing}: fit=fill stretches to width × height: give both", field=missing)
    return options


@dataclass(frozen=True)
class OutputSize:
    # The size the image is scaled to, then the part of it kept (centred; smaller only for `cover`).
    scaled_width: int
    scaled_height: int
    width: int
    height: int


def output_size(width: int, height: int, options: ProcessingOptions) -> OutputSize:
    """The output of a `width` × `height` image (upright) under `options`: never larger than the
    original unless `enlarge`. `inside` also stays within the format's side (without width and height
    a larger image is scaled down to it, as before options existed); `cover` and `fill` stay within
    the box, which `checked` keeps within it."""
    box_w, box_h = options.width, options.height
    if options.fit == "fill" and box_w is not None and box_h is not None:
        sx, sy = box_w / width, box_h / height
        if not options.enlarge:
            sx, sy = min(sx, 1.0), min(sy, 1.0)
    else:
        ratios = [ratio for ratio in (box_w and box_w / width, box_h and box_h / height) if ratio]
        if options.fit == "cover" and len(ratios) == 2:
            scale = max(ratios)  # fills the box; the overflow is cropped (one side: as inside)
        else:
            scale = min([*ratios, options.max_side / width, options.max_side / height])
        if not options.enlarge or not ratios:  # without a box there is nothing to enlarge to
            scale = min(scale, 1.0)
        sx = sy = scale
    scaled_w, scaled_h = max(1, round(width * sx)), max(1, round(height * sy))
    out_w = min(scaled_w, box_w) if options.fit == "cover" and box_w else scaled_w
    out_h = min(scaled_h, box_h) if options.fit == "cover" and box_h else scaled_h
    return OutputSize(scaled_width=scaled_w, scaled_height=scaled_h, width=out_w, height=out_h)


# The one output format that keeps every frame of an animation.
ANIMATED_FORMATS = frozenset({"webp"})


def check_output(
    width: int, height: int, options: ProcessingOptions, *, max_pixels: int, frames: int = 1
) -> OutputSize:
    """`output_size`, refused (naming the field) past `max_pixels`, the limit inputs have (counted
    over the frames the output keeps)."""
    size = output_size(width, height, options)
    kept = frames if options.format in ANIMATED_FORMATS else 1
    if size.scaled_width * size.scaled_height * kept > max_pixels:
        field = "width" if options.width is not None else "height"
        raise InvalidArgument(
            f"{field}: the output would be {size.scaled_width}×{size.scaled_height}"
            + (f"×{kept} frames" if kept > 1 else "")
            + f", over the limit of {max_pixels:,} pixels",
            field=field,
        )
    return size


def options_message(options: ProcessingOptions) -> images_pb2.ProcessingOptions:
    message = images_pb2.ProcessingOptions(
        format=options.format, quality=options.quality, fit=options.fit, enlarge=options.enlarge
    )
    if options.width is not None:
        message.width = options.width
    if options.height is not None:
        message.height = options.height
    return message


def options_from_message(message: images_pb2.ProcessingOptions) -> ProcessingOptions:
    """What a caller sent, defaults for what it left out (an empty string, an absent number), checked."""
    return checked(
        ProcessingOptions(
            format=message.format or "webp",
            quality=message.quality if message.HasField("quality") else DEFAULT_QUALITY,
            width=message.width if message.HasField("width") else None,
            height=message.height if message.HasField("height") else None,
            fit=message.fit or "inside",
            enlarge=message.enlarge,
        )
    )
