"""Converts files to WebP with one library in this process, and reports timings, sizes and peak RSS.

    python bench/convert_python.py --library pyvips|pillow --quality 80 --effort 4 [--parallel N] FILE...

`pyvips` is the worker's own `convert_to_webp` (auto-rotate, metadata stripped, fail on truncation);
`pillow` is what a FastAPI + Pillow peer does: open, `exif_transpose`, save WEBP.
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
from pathlib import Path


def pyvips_converter(quality: int, effort: int) -> Callable[[Path, Path], None]:
    import pyvips

    from svc_worker.convert import convert_to_webp

    pyvips.concurrency_set(1)  # as the worker runs it (PIXELFLOW_WORKER_VIPS_CONCURRENCY=1)

    def convert(source: Path, target: Path) -> None:
        convert_to_webp(source, target, quality=quality, effort=effort, max_pixels=100_000_000)

    return convert


def pillow_converter(quality: int, effort: int) -> Callable[[Path, Path], None]:
    from PIL import Image, ImageOps

    def convert(source: Path, target: Path) -> None:
        with Image.open(source) as image:
            ImageOps.exif_transpose(image).save(target, "WEBP", quality=quality, method=effort)

    return convert


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", choices=["pyvips", "pillow"], required=True)
    parser.add_argument("--quality", type=int, default=80)
    parser.add_argument("--effort", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    make = pyvips_converter if args.library == "pyvips" else pillow_converter
    convert = make(args.quality, args.effort)
    with tempfile.TemporaryDirectory() as out:

        def one(index_and_file: tuple[int, Path]) -> tuple[float, int]:
            index, source = index_and_file
            target = Path(out) / f"{index}.webp"
            started = time.perf_counter()
            convert(source, target)
            return time.perf_counter() - started, target.stat().st_size

        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            results = list(pool.map(one, enumerate(args.files)))
        wall = time.perf_counter() - started
    json.dump(
        {
            "library": args.library,
            "wall_seconds": wall,
            "seconds": [seconds for seconds, _ in results],
            "sizes": [size for _, size in results],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
