"""Converts files to WebP with one library in this process, and reports timings, sizes and peak RSS.

    python bench/convert_python.py --library pyvips|pillow --quality 80 --effort 4 [--parallel N]
        [--stage all|decode|encode] FILE...

`pyvips` is the worker's own rendering of the `optimized` spec (auto-rotate, metadata stripped, fail on truncation);
`pillow` is what a FastAPI + Pillow peer does: open, `exif_transpose`, save WEBP.

`--stage` splits the time: `decode` times only reading the pixels into memory, `encode` decodes
first (untimed) and times only the WebP encoder on those pixels, so a difference between the
libraries can be placed in the decoder or in the encoder.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Stage:
    """`prepare` runs untimed before `run`; `run` writes the WebP at `target` (or nothing, to decode)."""

    prepare: Callable[[Path], Any]
    run: Callable[[Any, Path], None]


def _stages(
    convert: Callable[[Path, Path], None], decode: Callable[[Path], Any], encode: Callable[[Any, Path], None]
) -> dict[str, Stage]:
    """One library's three ways to be timed: the whole conversion, decoding alone, encoding alone."""
    return {
        "all": Stage(lambda source: source, convert),
        "decode": Stage(lambda source: source, lambda source, _: decode(source)),
        "encode": Stage(decode, encode),
    }


def pyvips_stages(quality: int, effort: int) -> dict[str, Stage]:
    import pyvips

    from pixelflow.outputs import OutputSpec
    from svc_worker.render import render
    from svc_worker.source import open_source

    pyvips.concurrency_set(1)  # as the worker runs it (PIXELFLOW_WORKER_VIPS_CONCURRENCY=1)

    def convert(source: Path, target: Path) -> None:
        spec = OutputSpec(name="optimized", format="webp", quality=quality, effort=effort)
        render(open_source(source, max_pixels=100_000_000), spec, target)

    def decode(source: Path) -> Any:
        return pyvips.Image.new_from_file(str(source), access="sequential").copy_memory()

    def encode(pixels: Any, target: Path) -> None:
        pixels.webpsave(str(target), Q=quality, effort=effort, keep=pyvips.enums.ForeignKeep.NONE)

    return _stages(convert, decode, encode)


def pillow_stages(quality: int, effort: int) -> dict[str, Stage]:
    from PIL import Image, ImageOps

    def convert(source: Path, target: Path) -> None:
        with Image.open(source) as image:
            ImageOps.exif_transpose(image).save(target, "WEBP", quality=quality, method=effort)

    def decode(source: Path) -> Any:
        image = Image.open(source)
        image.load()
        return image

    def encode(pixels: Any, target: Path) -> None:
        pixels.save(target, "WEBP", quality=quality, method=effort)

    return _stages(convert, decode, encode)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", choices=["pyvips", "pillow"], required=True)
    parser.add_argument("--quality", type=int, default=80)
    parser.add_argument("--effort", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--stage", choices=["all", "decode", "encode"], default="all")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    stages = pyvips_stages if args.library == "pyvips" else pillow_stages
    stage = stages(args.quality, args.effort)[args.stage]
    inputs = [stage.prepare(source) for source in args.files]
    with tempfile.TemporaryDirectory() as out:

        def one(index_and_input: tuple[int, Any]) -> tuple[float, int]:
            index, prepared = index_and_input
            target = Path(out) / f"{index}.webp"
            started = time.perf_counter()
            stage.run(prepared, target)
            seconds = time.perf_counter() - started
            return seconds, target.stat().st_size if target.exists() else 0

        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            results = list(pool.map(one, enumerate(inputs)))
        wall = time.perf_counter() - started
    json.dump(
        {
            "library": args.library,
            "stage": args.stage,
            "wall_seconds": wall,
            "seconds": [seconds for seconds, _ in results],
            "sizes": [size for _, size in results],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
