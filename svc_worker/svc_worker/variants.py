"""The early part of a conversion: the outputs marked `early` (the thumbnail) and the placeholder,
made from a reduced decode before the full-size image is touched, so that they can be reported
while the rest is still being encoded.

JPEG, WebP and HEIF/AVIF are decoded at a reduced size by libvips' `thumbnail` (shrink-on-load: a
12 MP JPEG is decoded at 1/8 scale, in a few milliseconds); the full-size decode that follows for the
large outputs is the only full one. Formats without shrink-on-load (PNG, GIF, TIFF, and what
`source.py` decodes itself) are decoded into memory once, and both stages read that copy.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, replace
from pathlib import Path

import pyvips
from thash import rgba_to_thumb_hash

from pixelflow.outputs import OutputSpec
from svc_worker.colour import to_srgb
from svc_worker.render import Rendered, check_specs, in_memory, render, target_path
from svc_worker.source import BrokenImage, Source, reason

# libvips' loaders that decode at a reduced size when asked for a smaller image.
SHRINK_ON_LOAD = frozenset({"jpegload", "webpload", "heifload"})
# ThumbHash encodes at most 100×100 pixels, yet keeps only its lowest frequencies (a few coefficients
# a side): 50×50 is "fine for any placeholder use" by thash's own measurements, and the pure-Python
# encoder takes a quarter of the time there (~7 ms, not ~27 ms).
PLACEHOLDER_SIDE = 50


@dataclass(frozen=True)
class Early:
    """What the early stage made, and the source the rest is rendered from."""

    source: Source
    rendered: list[Rendered]
    placeholder: str


def reduced(path: Path, source: Source, *, short_side: int) -> pyvips.Image:
    """The upright first frame in sRGB, in memory, scaled so that its shorter side is `short_side`
    (never enlarged). Decoded at reduced size where the loader can; read from `source` otherwise
    (then `source` must be in memory)."""
    width, height = source.image.width, source.page_height
    scale = min(1.0, short_side / min(width, height))
    try:
        if source.loader in SHRINK_ON_LOAD and source.frames == 1 and not source.decoded:
            image = pyvips.Image.thumbnail(
                str(path),
                max(1, math.ceil(width * scale)),
                height=max(1, math.ceil(height * scale)),
                size="down",
                fail_on="truncated",
            )
        else:
            first = source.image if source.frames == 1 else source.image.crop(0, 0, width, height)
            image = first.resize(scale) if scale < 1 else first
        return to_srgb(image).copy_memory()
    except pyvips.Error as exc:
        raise BrokenImage(reason(exc)) from exc


def placeholder(image: pyvips.Image) -> str:
    """The ThumbHash of `image` (sRGB, any size), base64: a few dozen characters."""
    try:
        small = image.thumbnail_image(PLACEHOLDER_SIDE, height=PLACEHOLDER_SIDE, size="down")
        if small.bands < 3:  # grey, with or without alpha
            small = small.colourspace("srgb")
        if small.bands == 3:
            small = small.bandjoin(255)
        rgba = small.cast("uchar").write_to_memory()
    except pyvips.Error as exc:
        raise BrokenImage(reason(exc)) from exc
    return base64.b64encode(bytes(rgba_to_thumb_hash(small.width, small.height, list(bytes(rgba))))).decode()


def render_early(path: Path, source: Source, specs: list[OutputSpec], directory: Path) -> Early:
    """Blocking. Renders the `early` specs and the placeholder; returns the source the other specs
    are rendered from (decoded into memory here when the reduced decode could not come from the file)."""
    check_specs(specs)
    early = [spec for spec in specs if spec.early]
    shrinkable = source.loader in SHRINK_ON_LOAD and source.frames == 1 and not source.decoded
    if not shrinkable:
        source = in_memory(source)
    side = max([PLACEHOLDER_SIDE, *(max(spec.max_width, spec.max_height) for spec in early)])
    small = reduced(path, source, short_side=side)
    base = replace(source, image=small, frames=1, page_height=small.height, decoded=True)
    rendered = [render(base, spec, target_path(directory, spec)) for spec in early]
    return Early(source=source, rendered=rendered, placeholder=placeholder(small))
