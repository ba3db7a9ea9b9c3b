"""The conversion itself: any accepted image to WebP, auto-rotated, metadata stripped.

Animated GIF and WebP stay animated (every frame is kept, within the pixel limit counted over all
frames): a person who uploads an animation expects one back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyvips

from pixelflow.imaging import ALLOWED_LOADERS, configure_libvips

configure_libvips(pyvips)

ANIMATED_LOADERS = {"gifload", "webpload"}


class BrokenImage(Exception):
    """The image itself cannot be converted; trying again would not help."""


@dataclass(frozen=True)
class Converted:
    width: int
    height: int
    frames: int
    size_bytes: int


def _reason(exc: pyvips.Error) -> str:
    detail = " ".join(line.strip() for line in str(exc.detail or exc.message).splitlines() if line.strip())
    return detail[:300] or "the image could not be decoded"


def convert_to_webp(source: Path, target: Path, *, quality: int, effort: int, max_pixels: int) -> Converted:
    """Blocking: run it in a thread. Raises BrokenImage for an image that cannot be converted."""
    try:
        header = pyvips.Image.new_from_file(str(source), access="sequential")
        loader = str(header.get("vips-loader")).removesuffix("_file").removesuffix("_source")
        if loader not in ALLOWED_LOADERS:
            raise BrokenImage("not a supported image")
        animated = loader in ANIMATED_LOADERS and header.get_typeof("n-pages") and header.get("n-pages") > 1
        frames = int(header.get("n-pages")) if animated else 1
        # Opened without `n`, the header holds one frame: its height is the page height.
        if header.width * header.height * frames > max_pixels:
            raise BrokenImage(f"image is over the limit of {max_pixels:,} pixels")

        # fail_on="truncated": a cut-off file must fail, not decode as grey.
        options: dict[str, object] = {"access": "sequential", "fail_on": "truncated"}
        if animated:
            options["n"] = -1
        if "autorotate" in pyvips.Introspect.get(loader).optional_input:
            options["autorotate"] = True
        image = pyvips.Image.new_from_file(str(source), **options)
        # Only the colour profile survives: EXIF (GPS included), XMP and IPTC are dropped.
        image.webpsave(str(target), Q=quality, effort=effort, keep=pyvips.enums.ForeignKeep.ICC)
    except pyvips.Error as exc:
        raise BrokenImage(_reason(exc)) from exc
    height = int(image.get("page-height")) if animated else image.height
    return Converted(width=image.width, height=height, frames=frames, size_bytes=target.stat().st_size)
