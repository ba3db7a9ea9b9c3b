"""Render an opened original as the outputs svc_images asked for: sRGB, within each spec's bounds
and its format's limit, no metadata but the pixels.

An original opened with `access="sequential"` can be read only once. One spec renders straight from
it (streaming: the lowest memory). Several specs share one decode: the sRGB pixels are copied into
memory once, and every spec renders from that copy (the responsive widths shrink from it: measured
faster than decoding the file again per width with shrink-on-load, see bench/variants.py). A spec
with `crop` is cover-cropped from the centre (the thumbnail); one with `only_if_narrower` is left
out when the image is not wider than its width.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyvips

from pixelflow.outputs import FORMATS, OutputResult, OutputSpec
from svc_worker.colour import to_srgb
from svc_worker.encoders import encoder_of
from svc_worker.fit import Fitted, fit_within, fitted_size
from svc_worker.geometry import output_frames, shape
from svc_worker.source import BrokenImage, Source, reason
from svc_worker.stages import stage

# An output's name becomes a file name here.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True)
class Rendered:
    name: str
    content_type: str
    width: int
    height: int
    frames: int
    size_bytes: int
    # True when the output is smaller than the original: its bounds or its format's limit.
    downscaled: bool
    path: Path

    def result(self, *, key: str) -> OutputResult:
        """What is reported once the file is stored at `key`."""
        return OutputResult(
            name=self.name,
            key=key,
            content_type=self.content_type,
            width=self.width,
            height=self.height,
            size_bytes=self.size_bytes,
        )


def render(source: Source, spec: OutputSpec, target: Path) -> Rendered:
    """Blocking: this is where pixels are decoded (unless `source` is already in memory). Raises
    BrokenImage for the image; ValueError for a format this worker cannot write."""
    return _render(source, spec, target)[0]


def _bounds(spec: OutputSpec) -> tuple[int, int]:
    max_side = encoder_of(spec).max_side
    return min(spec.max_width or max_side, max_side), min(spec.max_height or max_side, max_side)


def _render(
    source: Source, spec: OutputSpec, target: Path, size: tuple[int, int] | None = None
) -> tuple[Rendered, Fitted]:
    """`size`: the planned size of a responsive width stepped down from the width above it."""
    with stage("encode", output=spec.name):
        encoder = encoder_of(spec)
        try:
            if spec.crop:
                max_width, max_height = _bounds(spec)
                fitted = cover(source, max_width=max_width, max_height=max_height)
            else:
                frames = output_frames(source, spec)
                image = to_srgb(source.image)
                if frames < source.frames:  # a still format: the animation's first frame
                    image = image.crop(0, 0, image.width, source.page_height)
                if size is not None:
                    max_width, max_height = _bounds(spec)
                    fitted = fit_within(
                        image,
                        page_height=source.page_height,
                        frames=frames,
                        max_width=max_width,
                        max_height=max_height,
                        size=size,
                    )
                else:
                    fitted = shape(image, page_height=source.page_height, frames=frames, spec=spec)
            encoder.save(fitted.image, target, spec)
        except pyvips.Error as exc:
            raise BrokenImage(reason(exc)) from exc
        return Rendered(
            name=spec.name,
            content_type=FORMATS[spec.format].content_type,
            width=fitted.width,
            height=fitted.page_height,
            frames=fitted.image.height // fitted.page_height,
            size_bytes=target.stat().st_size,
            downscaled=fitted.downscaled,
            path=target,
        ), fitted


def cover(source: Source, *, max_width: int, max_height: int) -> Fitted:
    """The first frame, scaled down to cover `max_width` × `max_height` and cropped to it around the
    centre (never enlarged: a smaller image is only cropped to the box)."""
    image = to_srgb(source.image)
    if source.frames > 1:
        image = image.crop(0, 0, image.width, source.page_height)
    width, height = image.width, image.height
    covered = image.thumbnail_image(max_width, height=max_height, crop="centre", size="down")
    return Fitted(
        image=covered,
        width=covered.width,
        page_height=covered.height,
        downscaled=covered.width < width or covered.height < height,
    )


def wanted(source: Source, specs: Sequence[OutputSpec]) -> list[OutputSpec]:
    """The specs worth rendering: a responsive width only when the image is wider than it."""
    return [spec for spec in specs if not (spec.only_if_narrower and source.image.width <= spec.max_width)]


def in_memory(source: Source) -> Source:
    """`source` decoded once into memory (as sRGB), so that it can be read again and again."""
    if source.decoded:
        return source
    try:
        return replace(source, image=to_srgb(source.image).copy_memory(), decoded=True)
    except pyvips.Error as exc:
        raise BrokenImage(reason(exc)) from exc


def check_specs(specs: Sequence[OutputSpec]) -> None:
    """Refuses, before anything is decoded, a spec this worker cannot write or name a file after."""
    for spec in specs:
        if not _NAME.fullmatch(spec.name):
            raise ValueError(f"invalid output name {spec.name!r}")
        encoder_of(spec)


def target_path(directory: Path, spec: OutputSpec) -> Path:
    return directory / f"{spec.name}.{FORMATS[spec.format].extension}"


def render_all(source: Source, specs: Sequence[OutputSpec], directory: Path) -> list[Rendered]:
    """Every wanted spec from one decode of `source`, each written to `directory/<name>.<extension>`."""
    check_specs(specs)
    chosen = wanted(source, specs)
    shared = in_memory(source) if len(chosen) > 1 else source
    rendered = {spec.name: render(shared, spec, target_path(directory, spec)) for spec in chosen if not _steps(spec)}
    # The responsive widths step down, each from the one above it (kept in memory): a 320-pixel image
    # shrunk from the 640 one reads a 16th of the pixels it would from the full-size decode.
    # Sizes are planned from the full image, so that stepping adds no rounding of its own.
    full = (shared.image.width, shared.page_height)
    step = shared
    for spec in sorted(filter(_steps, chosen), key=lambda spec: -spec.max_width):
        max_width, max_height = _bounds(spec)
        size = fitted_size(*full, max_width=max_width, max_height=max_height)
        rendered[spec.name], fitted = _render(step, spec, target_path(directory, spec), size)
        try:
            step = replace(step, image=fitted.image.copy_memory(), page_height=fitted.page_height)
        except pyvips.Error as exc:
            raise BrokenImage(reason(exc)) from exc
    return [rendered[spec.name] for spec in chosen]


def _steps(spec: OutputSpec) -> bool:
    return spec.only_if_narrower and not spec.crop and not spec.max_height
