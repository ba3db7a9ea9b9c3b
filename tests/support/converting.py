"""Run the worker's conversion on bytes (the `optimized` spec) and read the WebP back, for the format tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyvips

from pixelflow.outputs import OutputSpec
from svc_worker.convert import Rendered
from svc_worker.convert import convert as convert_file

# Bands that must never reach an output: the metadata stripping applies to every input.
METADATA_FIELDS = ("exif-data", "xmp-data", "iptc-data", "icc-profile-data")


@dataclass(frozen=True)
class Output:
    converted: Rendered
    webp: bytes
    image: pyvips.Image  # every frame, stacked

    def pixel(self, x: int, y: int) -> list[float]:
        return [float(v) for v in self.image.getpoint(x, y)]


def convert(tmp_path: Path, data: bytes, *, max_pixels: int = 100_000_000, effort: int = 4) -> Output:
    """The worker's defaults (Q80, effort 4); a lower effort only makes encoding big images faster."""
    source = tmp_path / "original"
    source.write_bytes(data)
    spec = OutputSpec(name="optimized", format="webp", quality=80, effort=effort)
    [converted] = convert_file(source, [spec], tmp_path, max_pixels=max_pixels).rendered
    webp = converted.path.read_bytes()
    image = pyvips.Image.new_from_buffer(webp, "", n=-1)
    assert [f for f in METADATA_FIELDS if image.get_typeof(f)] == []
    return Output(converted=converted, webp=webp, image=image)


def near(actual: list[float], expected: tuple[int, ...] | list[int], tolerance: float) -> bool:
    return len(actual) == len(expected) and all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))
