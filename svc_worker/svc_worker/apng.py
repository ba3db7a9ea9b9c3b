"""Animated PNG, decoded frame by frame by Pillow: libvips reads only an APNG's default image.

Pillow composites each frame onto the canvas (APNG disposal and blending), so every frame handed
to libvips is a whole picture, as libvips' GIF and WebP loaders give them.
"""

from __future__ import annotations

from pathlib import Path

import pyvips
from PIL import Image

# The worker enforces its own pixel limit (over every frame) before anything is decoded here.
Image.MAX_IMAGE_PIXELS = None


class ApngError(Exception):
    """Pillow could not decode the animation."""


def apng_frames(path: Path) -> int:
    """Frames of an animated PNG, from its header; 1 for a still PNG (libvips reads those)."""
    try:
        with Image.open(path, formats=["PNG"]) as image:
            return int(getattr(image, "n_frames", 1)) if getattr(image, "is_animated", False) else 1
    except (OSError, ValueError, SyntaxError) as exc:
        raise ApngError(str(exc) or "the PNG could not be read") from exc


def decode_apng(path: Path) -> pyvips.Image:
    """Every frame as RGBA, stacked vertically, with `page-height`, `delay` and `loop` set."""
    try:
        with Image.open(path, formats=["PNG"]) as image:
            width, height = image.size
            pages, delays = [], []
            for index in range(int(getattr(image, "n_frames", 1))):
                image.seek(index)
                frame = image.convert("RGBA")
                pages.append(pyvips.Image.new_from_memory(frame.tobytes(), width, height, 4, "uchar"))
                delays.append(int(image.info.get("duration", 100)))
            loop = int(image.info.get("loop", 0))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ApngError(str(exc) or "the animated PNG could not be decoded") from exc
    strip = pyvips.Image.arrayjoin(pages, across=1).copy(interpretation="srgb")
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", delays)
    strip.set_type(pyvips.GValue.gint_type, "loop", loop)
    return strip
