"""The conversion itself: an original, opened once, rendered as every output spec it was given;
auto-rotated, in sRGB, metadata stripped. Two stages, so that the early outputs (the thumbnail) and
the placeholder can be reported before the full-size ones are encoded.

Animated GIF and WebP stay animated (every frame is kept, within the pixel limit counted over all
frames): a person who uploads an animation expects one back. Their thumbnail is the first frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pixelflow.outputs import OutputSpec
from svc_worker.geometry import check_pixels
from svc_worker.render import Rendered, check_specs, render_all
from svc_worker.source import BrokenImage, open_source
from svc_worker.stages import stage
from svc_worker.variants import Early, render_early

__all__ = ["BrokenImage", "Converted", "Early", "Rendered", "convert", "convert_early", "convert_rest"]


@dataclass(frozen=True)
class Converted:
    rendered: list[Rendered]
    placeholder: str
    has_location: bool


def convert_early(source: Path, specs: Sequence[OutputSpec], directory: Path, *, max_pixels: int) -> Early:
    """Blocking: run it in a thread. Opens the original (header checks first) and renders the early
    specs and the placeholder. Raises BrokenImage for an image that cannot be converted."""
    check_specs(specs)
    with stage("decode"):
        opened = open_source(source, max_pixels=max_pixels)
    check_pixels(opened, list(specs), max_pixels=max_pixels)
    return render_early(source, opened, list(specs), directory)


def convert_rest(early: Early, specs: Sequence[OutputSpec], directory: Path) -> list[Rendered]:
    """Blocking: every spec that is not early, from one decode of the original."""
    return render_all(early.source, [spec for spec in specs if not spec.early], directory)


def convert(source: Path, specs: Sequence[OutputSpec], directory: Path, *, max_pixels: int) -> Converted:
    """Both stages at once (tests, the benchmark)."""
    early = convert_early(source, specs, directory, max_pixels=max_pixels)
    rest = convert_rest(early, specs, directory)
    return Converted(
        rendered=early.rendered + rest, placeholder=early.placeholder, has_location=early.source.has_location
    )
