"""Images beyond WebP's 16383-pixel side: scaled down to fit, aspect ratio kept, and said so."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from svc_worker.fit import WEBP_MAX_SIDE, fit_within
from tests.support import formats
from tests.support.converting import convert

LIMIT = WEBP_MAX_SIDE


@pytest.mark.parametrize(
    ("kind", "size", "expected", "downscaled"),
    [
        ("jpeg", (LIMIT, 16), (LIMIT, 16), False),
        ("jpeg", (LIMIT + 1, 16), (LIMIT, 16), True),
        ("png", (16, LIMIT), (16, LIMIT), False),
        ("png", (16, LIMIT + 1), (16, LIMIT), True),
        ("jpeg", (20000, 1200), (LIMIT, 983), True),  # a phone panorama
        ("png", (800, 30000), (437, LIMIT), True),  # a long scan
    ],
)
def test_sides_over_the_webp_limit_are_scaled_to_fit(
    tmp_path: Path, kind: str, size: tuple[int, int], expected: tuple[int, int], downscaled: bool
) -> None:
    image = formats.gradient(*size)
    data = formats.jpeg(image, Q=70) if kind == "jpeg" else formats.png(image, compression=1)
    out = convert(tmp_path, data, effort=0)
    assert (out.converted.width, out.converted.height, out.converted.downscaled) == (*expected, downscaled)
    assert (out.image.width, out.image.height) == expected
    assert abs(expected[0] / expected[1] - size[0] / size[1]) / (size[0] / size[1]) < 0.01


def test_animation_frames_are_scaled_alike() -> None:
    frames = 3
    strip = pyvips.Image.black(40, 30 * frames, bands=3).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", 30)
    fitted = fit_within(strip, page_height=30, frames=frames, max_width=20, max_height=20)
    assert (fitted.width, fitted.page_height, fitted.downscaled) == (20, 15, True)
    assert (fitted.image.width, fitted.image.height, fitted.image.get("page-height")) == (20, 45, 15)
