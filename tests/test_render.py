"""The worker's rendering of output specs, without services: one spec's result, and several specs
from one open of a sequential-access original."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from pixelflow.outputs import OutputSpec
from svc_worker.render import render, render_all
from svc_worker.source import BrokenImage, open_source
from tests.support import formats

OPTIMIZED = OutputSpec(name="optimized", format="webp", quality=80, effort=0)
SMALL = OutputSpec(name="small", format="webp", quality=60, effort=0, max_width=64, max_height=64)


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "original"
    path.write_bytes(formats.jpeg(formats.gradient(300, 200), Q=90))
    return path


def test_a_spec_renders_within_its_bounds(original: Path, tmp_path: Path) -> None:
    rendered = render(open_source(original, max_pixels=10**6), SMALL, tmp_path / "small.webp")
    written = pyvips.Image.new_from_file(str(rendered.path))
    assert (rendered.name, rendered.content_type) == ("small", "image/webp")
    assert (rendered.width, rendered.height, rendered.downscaled) == (64, 43, True)
    assert (written.width, written.height, written.get("vips-loader")) == (64, 43, "webpload")
    assert rendered.size_bytes == rendered.path.stat().st_size


def test_two_specs_come_from_one_open(original: Path, tmp_path: Path) -> None:
    once = open_source(original, max_pixels=10**6)
    # A sequential original cannot be read twice: rendering it again straight fails.
    render(once, OPTIMIZED, tmp_path / "first.webp")
    with pytest.raises(BrokenImage, match="out of order"):
        render(once, SMALL, tmp_path / "second.webp")

    (tmp_path / "both").mkdir()
    optimized, small = render_all(open_source(original, max_pixels=10**6), [OPTIMIZED, SMALL], tmp_path / "both")
    assert [r.path.name for r in (optimized, small)] == ["optimized.webp", "small.webp"]
    assert (optimized.width, optimized.height, optimized.downscaled) == (300, 200, False)
    assert (small.width, small.height) == (64, 43)
    # The shared decode changes nothing in what a spec renders to.
    assert optimized.path.read_bytes() == (tmp_path / "first.webp").read_bytes()


def test_an_unknown_format_or_unsafe_name_is_refused_before_any_decode(original: Path, tmp_path: Path) -> None:
    opened = open_source(original, max_pixels=10**6)
    for spec in (OutputSpec(name="x", format="bmp", quality=80, effort=0), OutputSpec("../x", "webp", 80, 0)):
        with pytest.raises(ValueError, match=r"unknown output format|invalid output name"):
            render_all(opened, [spec, OPTIMIZED], tmp_path)
    assert list(tmp_path.glob("*.webp")) == []
