"""Scale an image down to the bounds of an output (at most what WebP can hold), keeping its aspect
ratio (panoramas, long scans)."""

from __future__ import annotations

from dataclasses import dataclass

import pyvips

# libwebp's limit on each side (WEBP_MAX_DIMENSION).
WEBP_MAX_SIDE = 16383


@dataclass(frozen=True)
class Fitted:
    image: pyvips.Image
    width: int
    # One frame's height (the whole image's, when it is not animated).
    page_height: int
    downscaled: bool


def fit_within(
    image: pyvips.Image,
    *,
    page_height: int,
    frames: int,
    max_width: int = WEBP_MAX_SIDE,
    max_height: int = WEBP_MAX_SIDE,
    size: tuple[int, int] | None = None,
) -> Fitted:
    """`image` holds `frames` frames of `page_height` rows stacked vertically; each frame is scaled
    down (never up) to fit `max_width` × `max_height`, keeping its aspect ratio; to exactly `size`
    when given (a size planned from a larger image that `image` was already shrunk from)."""
    width = image.width
    new_width, new_page = size or fitted_size(width, page_height, max_width=max_width, max_height=max_height)
    if (new_width, new_page) == (width, page_height):
        return Fitted(image=image, width=width, page_height=page_height, downscaled=False)
    scaled = image.resize(new_width / width, vscale=new_page / page_height)
    if scaled.width != new_width or scaled.height != new_page * frames:
        # resize rounds on its own: crop or pad by the stray row or column it may add or drop.
        scaled = scaled.gravity("north-west", new_width, new_page * frames, extend="copy")
    if frames > 1:
        scaled = scaled.copy()
        scaled.set_type(pyvips.GValue.gint_type, "page-height", new_page)
    return Fitted(image=scaled, width=new_width, page_height=new_page, downscaled=True)


def fitted_size(width: int, page_height: int, *, max_width: int, max_height: int) -> tuple[int, int]:
    """A frame's size once scaled down (never up) to fit the bounds, keeping its aspect ratio."""
    if width <= max_width and page_height <= max_height:
        return width, page_height
    # The limiting side becomes exactly its bound; the other keeps the ratio, at least one pixel.
    if max_width * page_height <= max_height * width:
        return max_width, max(1, round(page_height * max_width / width))
    return max(1, round(width * max_height / page_height)), max_height
