"""Render an opened original as the outputs svc_images asked for: sRGB, within each spec's bounds
and its format's limit, no metadata but the pixels.

An original opened with `access="sequential"` can be read only once. One spec renders straight from
it (streaming: the lowest memory, today's only case). Several specs share one decode: the sRGB
pixels are copied into memory once, and every spec renders from that copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyvips

from pixelflow.outputs import FORMATS, OutputResult, OutputSpec
from svc_worker.colour import to_srgb
from svc_worker.encoders import Encoder, encoder_of
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
    with stage("encode", output=spec.name):
        encoder = _encoder(spec)
        frames = output_frames(source, spec)
        try:
            image = to_srgb(source.image)
            if frames < source.frames:  # a still format: the animation's first frame
                image = image.crop(0, 0, image.width, source.page_height)
            fitted = shape(image, page_height=source.page_height, frames=frames, spec=spec)
            encoder.save(fitted.image, target, spec)
        except pyvips.Error as exc:
            raise BrokenImage(reason(exc)) from exc
        return Rendered(
            name=spec.name,
            content_type=FORMATS[spec.format].content_type,
            width=fitted.width,
            height=fitted.page_height,
            frames=frames,
            size_bytes=target.stat().st_size,
            downscaled=fitted.downscaled,
            path=target,
        )


def _encoder(spec: OutputSpec) -> Encoder:
    return encoder_of(spec)


def in_memory(source: Source) -> Source:
    """`source` decoded once into memory (as sRGB), so that it can be read again and again."""
    try:
        return replace(source, image=to_srgb(source.image).copy_memory())
    except pyvips.Error as exc:
        raise BrokenImage(reason(exc)) from exc


def render_all(source: Source, specs: Sequence[OutputSpec], directory: Path) -> list[Rendered]:
    """Every spec from one decode of `source`, each written to `directory/<name>.<extension>`."""
    for spec in specs:  # refused before anything is decoded
        if not _NAME.fullmatch(spec.name):
            raise ValueError(f"invalid output name {spec.name!r}")
        _encoder(spec)
    targets = [directory / f"{spec.name}.{FORMATS[spec.format].extension}" for spec in specs]
    shared = in_memory(source) if len(specs) > 1 else source
    return [render(shared, spec, target) for spec, target in zip(specs, targets, strict=True)]
