"""HEIC (through pillow-heif) and AVIF (through libvips' heifload) in the worker's conversion."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pillow_heif
import pytest
from PIL import Image

from svc_worker import source
from svc_worker.convert import BrokenImage
from svc_worker.heic import packed_rows
from tests.support import formats
from tests.support.converting import convert, near

RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.mark.parametrize("codec", ["heic", "avif"])
def test_turned_by_irot_and_exif_is_turned_once(tmp_path: Path, codec: str) -> None:
    """iPhones write both an `irot` box and EXIF Orientation 6: libheif applies the box, the tag
    must not turn the photo a second time. HEIC goes through pillow-heif, AVIF through libvips."""
    if codec == "heic":
        data = formats.heic(formats.pillow_halves((300, 200), RED, BLUE), exif_orientation=6)
    else:
        data = formats.avif(formats.halves(300, 200, RED, BLUE), exif_orientation=6)
    stored = pillow_heif.open_heif(data)
    exif = Image.Exif()
    exif.load(stored.info["exif"])
    assert exif[0x0112] == 6
    assert stored.size == (200, 300)
    out = convert(tmp_path, data)
    assert (out.converted.width, out.converted.height) == (200, 300)
    # Turned 90° clockwise: the left (red) half is now on top.
    assert near(out.pixel(100, 20), RED, 10)
    assert near(out.pixel(100, 280), BLUE, 10)


def test_heic_10_bit(tmp_path: Path) -> None:
    data = formats.heic_10bit((50000, 20000, 10000))
    assert pillow_heif.open_heif(data, convert_hdr_to_8bit=False).info["bit_depth"] == 10
    out = convert(tmp_path, data)
    assert near(out.pixel(30, 20), (50000 // 257, 20000 // 257, 10000 // 257), 6)


@pytest.mark.parametrize("described_by", ["icc", "nclx"])
def test_heic_in_display_p3_keeps_its_colour(tmp_path: Path, described_by: str) -> None:
    _, stored = formats.jpeg_in_profile("display-p3", (200, 80, 40))
    picture = Image.new("RGB", (64, 48), stored)
    if described_by == "icc":
        picture.info["icc_profile"] = formats.icc_profile("display-p3")
    data = formats.heic(picture, quality=95, nclx=formats.NCLX_DISPLAY_P3 if described_by == "nclx" else None)
    info = pillow_heif.open_heif(data).info
    assert bool(info.get("icc_profile")) == (described_by == "icc")
    out = convert(tmp_path, data)
    assert near(out.pixel(30, 20), (200, 80, 40), 6)


def test_heic_over_the_pixel_limit_is_refused_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def decode(_: Path) -> NoReturn:
        raise AssertionError("decoded an image over the limit")

    monkeypatch.setattr(source, "decode_heic", decode)
    data = formats.heic(formats.pillow_halves((300, 200), RED, BLUE))
    with pytest.raises(BrokenImage, match="over the limit"):
        convert(tmp_path, data, max_pixels=300 * 200 - 1)


def test_truncated_heic_fails_clearly(tmp_path: Path) -> None:
    data = formats.heic(formats.pillow_halves((300, 200), RED, BLUE))
    with pytest.raises(BrokenImage):
        convert(tmp_path, data[: len(data) * 2 // 3])


def test_padded_rows_are_packed_for_libvips() -> None:
    """pillow-heif 1.8 repacks rows itself; a libheif stride with padding must not skew the image."""
    assert bytes(packed_rows(memoryview(b"abcXdefX"), stride=4, row_bytes=3)) == b"abcdef"
    unpadded = memoryview(b"abcdef")
    assert packed_rows(unpadded, stride=3, row_bytes=3) is unpadded
