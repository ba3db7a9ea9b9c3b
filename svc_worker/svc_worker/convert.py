"""The conversion itself: any accepted image to WebP, auto-rotated, in sRGB, metadata stripped.

Animated GIF and WebP stay animated (every frame is kept, within the pixel limit counted over all
frames): a person who uploads an animation expects one back.
"""

from __future__ import annotations

from pathlib import Path

from svc_worker.render import Converted, render_webp
from svc_worker.source import BrokenImage, open_source

__all__ = ["BrokenImage", "Converted", "convert_to_webp"]


def convert_to_webp(source: Path, target: Path, *, quality: int, effort: int, max_pixels: int) -> Converted:
    """Blocking: run it in a thread. Raises BrokenImage for an image that cannot be converted."""
    opened = open_source(source, max_pixels=max_pixels)
    return render_webp(opened, target, quality=quality, effort=effort)
