"""Everyday JPEG, PNG, TIFF and animation classes through the worker's conversion (no services)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest
import pyvips

from pixelflow.outputs import OutputSpec
from svc_worker import source
from svc_worker.convert import BrokenImage
from svc_worker.render import render
from svc_worker.source import open_source
from tests.support import formats
from tests.support.converting import convert, near
from tests.support.images import ORIENTED_JPEG, png_declaring

SRGB_ORANGE = (200, 80, 40)
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def test_ordinary_jpeg_output_is_exactly_libvips_webp_q80(tmp_path: Path) -> None:
    """No colour step touches a JPEG without a profile: the bytes are those of a plain Q80 save."""
    upright = pyvips.Image.new_from_file(str(ORIENTED_JPEG), autorotate=True)
    expected = upright.webpsave_buffer(Q=80, effort=4, keep=pyvips.enums.ForeignKeep.NONE)
    assert convert(tmp_path, ORIENTED_JPEG.read_bytes()).webp == expected


def test_progressive_jpeg_with_restart_markers(tmp_path: Path) -> None:
    data = formats.progressive_jpeg_with_restarts(256, 160)
    assert b"\xff\xdd" in data
    assert b"\xff\xc2" in data
    out = convert(tmp_path, data)
    assert (out.converted.width, out.converted.height) == (256, 160)
    reference = pyvips.Image.new_from_buffer(data, "")
    assert near(out.pixel(200, 100), reference.getpoint(200, 100), 12)


def test_truncated_jpeg_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(BrokenImage, match="premature end"):
        convert(tmp_path, formats.truncated_jpeg())


def test_motion_photo_converts_its_still_without_the_video(tmp_path: Path) -> None:
    plain, motion, marker = formats.motion_photo()
    out = convert(tmp_path, motion)
    assert marker not in out.webp
    assert out.webp == convert(tmp_path, plain).webp


def test_ultra_hdr_converts_its_sdr_image_without_the_gain_map(tmp_path: Path) -> None:
    primary, ultra_hdr = formats.ultra_hdr()
    out = convert(tmp_path, ultra_hdr)
    assert (out.converted.width, out.converted.height) == (240, 160)
    assert out.webp == convert(tmp_path, primary).webp


def test_megabytes_of_editor_metadata_are_skipped_and_dropped(tmp_path: Path) -> None:
    plain, heavy = formats.jpeg_with_editor_metadata(3)
    assert len(heavy) > 3 * 1024 * 1024
    out = convert(tmp_path, heavy)
    assert b"PIXELFLOW-XMP" not in out.webp
    assert out.webp == convert(tmp_path, plain).webp


@pytest.mark.parametrize("profile", sorted(formats.PROFILES))
def test_embedded_profile_colours_do_not_shift(tmp_path: Path, profile: str) -> None:
    data, stored = formats.jpeg_in_profile(profile, SRGB_ORANGE)
    # Read without its profile, the pixel would be visibly another colour.
    assert not near(list(map(float, stored)), SRGB_ORANGE, 8)
    assert near(convert(tmp_path, data).pixel(16, 16), SRGB_ORANGE, 4)


@pytest.mark.parametrize("make", [formats.cmyk_jpeg, formats.ycck_jpeg], ids=["cmyk", "ycck"])
def test_print_workflow_jpegs_keep_their_colour(tmp_path: Path, make: object) -> None:
    data = make(SRGB_ORANGE)  # type: ignore[operator]
    assert b"Adobe" in data
    out = convert(tmp_path, data)
    assert out.image.bands == 3
    # CMYK cannot hold every sRGB colour exactly: the press profile's round trip moves it a little.
    assert near(out.pixel(10, 10), SRGB_ORANGE, 6)


def test_16_bit_png_with_alpha(tmp_path: Path) -> None:
    out = convert(tmp_path, formats.png16_with_alpha((50000, 20000, 10000), 40000))
    assert near(out.pixel(20, 16), (50000 // 257, 20000 // 257, 10000 // 257, 40000 // 257), 4)


def test_palette_png_keeps_its_transparency(tmp_path: Path) -> None:
    out = convert(tmp_path, formats.palette_png_with_transparency((48, 32)))
    assert out.image.bands == 4
    assert near(out.pixel(5, 16), (*RED, 255), 6)
    assert out.pixel(42, 16)[3] == 0


def test_multipage_tiff_converts_its_first_page(tmp_path: Path) -> None:
    out = convert(tmp_path, formats.multipage_tiff([RED, GREEN, BLUE], (40, 30)))
    assert (out.converted.width, out.converted.height, out.converted.frames) == (40, 30, 1)
    assert out.image.height == 30
    assert near(out.pixel(20, 15), RED, 6)


@pytest.mark.parametrize(
    "make", [formats.animated_webp, formats.gif_with_local_palettes, formats.apng], ids=["webp", "gif", "apng"]
)
def test_animations_keep_every_frame_and_its_colours(tmp_path: Path, make: object) -> None:
    colours = [RED, GREEN, BLUE]
    out = convert(tmp_path, make(colours, (40, 30)))  # type: ignore[operator]
    assert (out.converted.width, out.converted.height, out.converted.frames) == (40, 30, 3)
    assert out.image.get("n-pages") == 3
    assert out.image.get("delay") == formats.frame_delays(3)
    assert [near(out.pixel(20, 15 + 30 * i), c, 8) for i, c in enumerate(colours)] == [True] * 3


@pytest.mark.parametrize(
    ("samples", "expected"),
    [("ushort", (32, 23, 53)), ("float", (97, 81, 123))],
    ids=["16-bit", "float-scrgb"],
)
def test_deep_tiffs_written_by_libvips(tmp_path: Path, samples: str, expected: tuple[int, int, int]) -> None:
    """16-bit TIFF scales down; a float TIFF is linear light (scRGB), so it is brighter in sRGB."""
    base = formats.gradient(64, 48)
    deep = (base.cast("ushort") * 256).cast("ushort") if samples == "ushort" else base.cast("float") / 255
    out = convert(tmp_path, deep.tiffsave_buffer(compression="deflate"))
    assert near(out.pixel(30, 20), expected, 5)


def test_a_damaged_or_mismatched_profile_leaves_the_pixels_as_they_are(tmp_path: Path) -> None:
    profile = formats.icc_profile("display-p3")
    damaged = profile[:132] + bytes(len(profile) - 132)  # a valid header, the tag table gone
    cmyk = formats.flat(1, 1, SRGB_ORANGE).icc_transform("cmyk").get("icc-profile-data")
    for attached in (damaged, cmyk):
        image = formats.flat(32, 32, SRGB_ORANGE).copy()
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", attached)
        assert near(convert(tmp_path, formats.jpeg(image, Q=98)).pixel(16, 16), SRGB_ORANGE, 4)


def test_open_once_then_render(tmp_path: Path) -> None:
    """The two steps apart: opening identifies and measures, rendering decodes and writes."""
    original = tmp_path / "animation.gif"
    original.write_bytes(formats.gif_with_local_palettes([RED, GREEN, BLUE], (40, 30)))
    opened = open_source(original, max_pixels=40 * 30 * 3)
    assert (opened.loader, opened.frames, opened.page_height, opened.image.height) == ("gifload", 3, 30, 90)
    spec = OutputSpec(name="optimized", format="webp", quality=80, effort=4)
    rendered = render(opened, spec, tmp_path / "out.webp")
    assert (rendered.width, rendered.height, rendered.frames, rendered.downscaled) == (40, 30, 3, False)
    assert rendered.size_bytes == (tmp_path / "out.webp").stat().st_size


@pytest.mark.parametrize("frames", [1, 3])
def test_the_pixel_limit_counts_every_frame_before_any_decode(
    tmp_path: Path, frames: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def decode(_: Path) -> NoReturn:
        raise AssertionError("decoded an image over the limit")

    monkeypatch.setattr(source, "decode_apng", decode)
    original = tmp_path / "original"
    original.write_bytes(png_declaring(30_000, 30_000) if frames == 1 else formats.apng([RED, GREEN, BLUE], (40, 30)))
    with pytest.raises(BrokenImage, match="over the limit"):
        open_source(original, max_pixels=30_000 * 30_000 - 1 if frames == 1 else 40 * 30 * 3 - 1)
