"""The output formats the worker writes, each with its side limit and its use of a spec's quality.

Every encoder drops EXIF (GPS included), XMP, IPTC and the ICC profile (already applied: the pixels
are sRGB). Only WebP keeps an animation; the others get its first frame.

AVIF's quality scale is not WebP's: at the same number AVIF keeps more detail. The table maps a
requested quality to the AVIF quality whose mean SSIM against the source first reaches WebP's at that
quality, over the bench corpus (`tools/avif_quality.py`, effort 2): 80 then means what WebP 80 looks
like, in fewer bytes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyvips

from pixelflow.options import FORMAT_MAX_SIDE
from pixelflow.outputs import OutputSpec

KEEP_NOTHING = pyvips.enums.ForeignKeep.NONE
# aom's speed/size trade-off (0-9): 2 encodes ~5x faster than libvips' default 4 on photos, for a few
# percent more bytes (stack notes: 4 MP at effort 2 ~0.6 s, at effort 4 ~3.2 s).
AVIF_EFFORT = 2
# zlib level of PNG: libvips' default; PNG is lossless, so quality plays no part.
PNG_COMPRESSION = 6

# (requested quality, AVIF quality), measured with tools/avif_quality.py on the bench corpus
# (mean SSIM WebP Q80 0.9776, AVIF Q50 0.9778); linear in between, and below Q50 (not measured).
AVIF_QUALITY_POINTS: tuple[tuple[int, int], ...] = (
    (1, 1),
    (50, 35),
    (60, 40),
    (70, 45),
    (80, 50),
    (90, 75),
    (95, 90),
    (100, 100),
)


def avif_quality(quality: int) -> int:
    """The AVIF quality that looks like WebP at `quality` (1-100)."""
    points = AVIF_QUALITY_POINTS
    at = bisect_left([q for q, _ in points], quality)
    if at < len(points) and points[at][0] == quality:
        return points[at][1]
    (q0, a0), (q1, a1) = points[at - 1], points[at]
    return round(a0 + (a1 - a0) * (quality - q0) / (q1 - q0))


@dataclass(frozen=True)
class Encoder:
    # The largest side the format can hold.
    max_side: int
    save: Callable[[pyvips.Image, Path, OutputSpec], None]
    # Whether every frame of an animation is written (else only the first).
    animated: bool = False


def _save_webp(image: pyvips.Image, target: Path, spec: OutputSpec) -> None:
    image.webpsave(str(target), Q=spec.quality, effort=spec.effort, keep=KEEP_NOTHING)


def _save_avif(image: pyvips.Image, target: Path, spec: OutputSpec) -> None:
    image.heifsave(str(target), Q=avif_quality(spec.quality), compression="av1", effort=AVIF_EFFORT, keep=KEEP_NOTHING)


def _save_jpeg(image: pyvips.Image, target: Path, spec: OutputSpec) -> None:
    if image.hasalpha():
        # JPEG has no alpha: transparent parts become white, as a browser shows them on a page.
        image = image.flatten(background=[255] * (image.bands - 1))
    image.jpegsave(str(target), Q=spec.quality, optimize_coding=True, keep=KEEP_NOTHING)


def _save_png(image: pyvips.Image, target: Path, spec: OutputSpec) -> None:
    image.pngsave(str(target), compression=PNG_COMPRESSION, keep=KEEP_NOTHING)


ENCODERS = {
    "webp": Encoder(max_side=FORMAT_MAX_SIDE["webp"], save=_save_webp, animated=True),
    "avif": Encoder(max_side=FORMAT_MAX_SIDE["avif"], save=_save_avif),
    "jpeg": Encoder(max_side=FORMAT_MAX_SIDE["jpeg"], save=_save_jpeg),
    "png": Encoder(max_side=FORMAT_MAX_SIDE["png"], save=_save_png),
}


def encoder_of(spec: OutputSpec) -> Encoder:
    if spec.format not in ENCODERS:
        raise ValueError(f"unknown output format {spec.format!r}")
    return ENCODERS[spec.format]
