"""Render an opened original as WebP: sRGB, within WebP's size limit, no metadata but the pixels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyvips

from svc_worker.colour import to_srgb
from svc_worker.fit import WEBP_MAX_SIDE, fit_within
from svc_worker.source import BrokenImage, Source, reason


@dataclass(frozen=True)
class Converted:
    width: int
    height: int
    frames: int
    size_bytes: int
    # True when the image was larger than WebP allows and was scaled down to fit.
    downscaled: bool


def render_webp(source: Source, target: Path, *, quality: int, effort: int, max_side: int = WEBP_MAX_SIDE) -> Converted:
    """Blocking: this is where pixels are decoded. Raises BrokenImage."""
    try:
        srgb = to_srgb(source.image)
        fitted = fit_within(srgb, page_height=source.page_height, frames=source.frames, max_side=max_side)
        # EXIF (GPS included), XMP, IPTC and the profile (already applied) are all dropped.
        fitted.image.webpsave(str(target), Q=quality, effort=effort, keep=pyvips.enums.ForeignKeep.NONE)
    except pyvips.Error as exc:
        raise BrokenImage(reason(exc)) from exc
    return Converted(
        width=fitted.width,
        height=fitted.page_height,
        frames=source.frames,
        size_bytes=target.stat().st_size,
        downscaled=fitted.downscaled,
    )
