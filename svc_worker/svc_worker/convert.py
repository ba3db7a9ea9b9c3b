"""The conversion itself: an original, opened once, rendered as every output spec it was given;
auto-rotated, in sRGB, metadata stripped.

Animated GIF and WebP stay animated (every frame is kept, within the pixel limit counted over all
frames): a person who uploads an animation expects one back.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pixelflow.outputs import OutputSpec
from svc_worker.geometry import check_pixels
from svc_worker.render import Rendered, render_all
from svc_worker.source import BrokenImage, open_source
from svc_worker.stages import stage

__all__ = ["BrokenImage", "Rendered", "convert"]


def convert(source: Path, specs: Sequence[OutputSpec], directory: Path, *, max_pixels: int) -> list[Rendered]:
    """Blocking: run it in a thread. Raises BrokenImage for an image that cannot be converted."""
    with stage("decode"):
        opened = open_source(source, max_pixels=max_pixels)
    check_pixels(opened, list(specs), max_pixels=max_pixels)
    return render_all(opened, specs, directory)
