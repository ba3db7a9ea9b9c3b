"""The worker's variants without services: the thumbnail and placeholder from a reduced decode, the
widths only when narrower, every variant stripped of location and camera metadata, upright, in sRGB."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import pyvips
from thash import thumb_hash_to_approximate_aspect_ratio, thumb_hash_to_average_rgba

from pixelflow.outputs import OutputSpec
from svc_images.outputs import default_specs, variant_specs
from svc_worker.convert import BrokenImage, convert, convert_early
from svc_worker.source import open_source
from tests.support import formats
from tests.support.images import animated_gif
from tests.support.variants import BOTTOM, TOP, camera_photo, check_variant

SPECS = default_specs(webp_quality=80, webp_effort=0) + variant_specs(
    widths=[320, 640, 1280, 2048], thumbnail_size=128, webp_quality=80, webp_effort=0
)


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "original"
    path.write_bytes(data)
    (tmp_path / "out").mkdir()
    return path


def test_a_camera_photo_gets_every_variant_stripped_and_upright(tmp_path: Path) -> None:
    # Stored 1500×2400 sideways: shown 2400×1500, wider than every responsive width.
    original = _write(tmp_path, camera_photo(1500, 2400))
    converted = convert(original, SPECS, tmp_path / "out", max_pixels=10**8)
    sizes = {r.name: (r.width, r.height) for r in converted.rendered}
    assert sizes == {
        "thumbnail": (128, 128),
        "optimized": (2400, 1500),
        "w320": (320, 200),
        "w640": (640, 400),
        "w1280": (1280, 800),
        "w2048": (2048, 1280),
    }
    for rendered in converted.rendered:
        data = rendered.path.read_bytes()
        assert rendered.size_bytes == len(data)
        check_variant(data, width=rendered.width, height=rendered.height)
    assert converted.has_location is True

    hashed = list(base64.b64decode(converted.placeholder))
    assert 5 <= len(hashed) <= 40
    # The placeholder is of the upright picture: wider than tall, half red and half blue on average.
    ratio, average = thumb_hash_to_approximate_aspect_ratio(hashed), thumb_hash_to_average_rgba(hashed)
    assert ratio is not None
    assert average is not None
    assert ratio > 1.2
    for channel in range(3):
        assert abs(average[channel] * 255 - (TOP[channel] + BOTTOM[channel]) / 2) < 30, average


def test_the_thumbnail_comes_from_a_reduced_decode_before_the_full_one(tmp_path: Path) -> None:
    original = _write(tmp_path, camera_photo(1500, 2400, gps=False))
    source = open_source(original, max_pixels=10**8)
    early = convert_early(original, SPECS, tmp_path / "out", max_pixels=10**8)
    assert [r.name for r in early.rendered] == ["thumbnail"]
    assert early.source.has_location is False
    # The full-size original is still untouched: a sequential image not yet read, not a copy in memory.
    assert early.source.decoded is False
    assert (early.source.image.width, early.source.image.height) == (source.image.width, source.image.height)


def test_a_small_image_gets_no_width_it_is_not_wider_than(tmp_path: Path) -> None:
    original = _write(tmp_path, formats.png(formats.gradient(500, 90)))
    converted = convert(original, SPECS, tmp_path / "out", max_pixels=10**8)
    assert {r.name: (r.width, r.height) for r in converted.rendered} == {
        "thumbnail": (128, 90),  # never enlarged: cropped to the box
        "optimized": (500, 90),
        "w320": (320, 58),
    }
    assert converted.has_location is False


def test_an_animation_keeps_its_frames_and_its_thumbnail_is_the_first(tmp_path: Path) -> None:
    original = _write(tmp_path, animated_gif(3))
    converted = convert(original, SPECS, tmp_path / "out", max_pixels=10**8)
    by_name = {r.name: r for r in converted.rendered}
    assert set(by_name) == {"thumbnail", "optimized"}
    thumbnail = pyvips.Image.new_from_file(str(by_name["thumbnail"].path), n=-1)
    assert (thumbnail.width, thumbnail.height) == (24, 16)  # all frames loaded (n=-1): there is one
    assert by_name["optimized"].frames == 3


def test_a_truncated_photo_fails_the_whole_set(tmp_path: Path) -> None:
    original = _write(tmp_path, formats.truncated_jpeg())
    with pytest.raises(BrokenImage):
        convert(original, SPECS, tmp_path / "out", max_pixels=10**8)


def test_an_unknown_spec_is_refused_before_the_thumbnail_is_made(tmp_path: Path) -> None:
    original = _write(tmp_path, camera_photo(150, 240))
    bad = OutputSpec(name="poster", format="bmp", quality=80, effort=0)
    with pytest.raises(ValueError, match="unknown output format"):
        convert_early(original, (*SPECS, bad), tmp_path / "out", max_pixels=10**8)
    assert list((tmp_path / "out").iterdir()) == []
