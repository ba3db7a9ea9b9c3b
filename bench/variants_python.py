"""Makes the variant set of each file in this process, one way, and reports timings, sizes and peak RSS.

    python bench/variants_python.py --way WAY --quality 80 --effort 4 FILE...

Ways (the set: full-size WebP + 128×128 thumbnail + the widths narrower than the image + placeholder):
- `pyvips-set`: the worker's own conversion (svc_worker.convert): thumbnail and placeholder from a
  shrink-on-load decode, then one full decode in memory that the full WebP and the widths share.
- `pyvips-full`: the full-size WebP alone, as the worker made it before the variants (streamed).
- `pyvips-per-variant`: the same set decoding the file in full once per variant (no shrink-on-load).
- `pyvips-reload`: the full WebP streamed, each width by `thumbnail` from the file (shrink-on-load
  per width): the other plan for one decode, measured against the worker's.
- `pillow-set`: Pillow's fast path: one decode for the full WebP and the widths (`thumbnail` from a
  copy), `draft` (JPEG DCT scaling) + `thumbnail` for the thumbnail and placeholder.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WIDTHS = (320, 640, 1280, 2048)
THUMBNAIL = 128


def pyvips_ways(quality: int, effort: int, variant_effort: int) -> dict[str, Callable[[Path, Path], None]]:
    import pyvips

    from pixelflow.outputs import OutputSpec
    from svc_images.outputs import default_specs, variant_specs
    from svc_worker.convert import convert
    from svc_worker.render import render, render_all, wanted
    from svc_worker.source import open_source
    from svc_worker.variants import placeholder

    pyvips.concurrency_set(1)  # as the worker runs it
    no_metadata = pyvips.ForeignKeep.NONE
    optimized, *_ = default_specs(webp_quality=quality, webp_effort=effort)
    variants = variant_specs(
        widths=list(WIDTHS), thumbnail_size=THUMBNAIL, webp_quality=quality, webp_effort=variant_effort
    )
    specs = (optimized, *variants)
    limit = 100_000_000

    def full_set(source: Path, out: Path) -> None:
        convert(source, specs, out, max_pixels=limit)

    def full(source: Path, out: Path) -> None:
        render(open_source(source, max_pixels=limit), optimized, out / "optimized.webp")

    def per_variant(source: Path, out: Path) -> None:
        chosen = wanted(open_source(source, max_pixels=limit), specs)
        for spec in chosen:
            render(open_source(source, max_pixels=limit), spec, out / f"{spec.name}.webp")
        opened = open_source(source, max_pixels=limit)
        placeholder(opened.image.copy_memory())

    def reload(source: Path, out: Path) -> None:
        opened = open_source(source, max_pixels=limit)
        widths = [spec for spec in wanted(opened, specs) if spec.only_if_narrower]
        render_all(opened, [optimized], out)
        for spec in widths:
            scaled = pyvips.Image.thumbnail(str(source), spec.max_width, height=100_000, size="down")
            scaled.webpsave(str(out / f"{spec.name}.webp"), Q=quality, effort=variant_effort, keep=no_metadata)
        thumb = pyvips.Image.thumbnail(str(source), THUMBNAIL, height=THUMBNAIL, crop="centre")
        thumb.webpsave(str(out / "thumbnail.webp"), Q=quality, effort=variant_effort, keep=no_metadata)
        placeholder(pyvips.Image.thumbnail(str(source), 50, height=50))

    del OutputSpec
    return {"pyvips-set": full_set, "pyvips-full": full, "pyvips-per-variant": per_variant, "pyvips-reload": reload}


def pillow_ways(quality: int, effort: int, variant_effort: int) -> dict[str, Callable[[Path, Path], None]]:
    from PIL import Image, ImageOps
    from thash import rgba_to_thumb_hash

    def full_set(source: Path, out: Path) -> None:
        with Image.open(source) as opened:
            # The small ones first, from a DCT-scaled decode (draft): Pillow's shrink-on-load.
            opened.draft("RGB", (THUMBNAIL * 2, THUMBNAIL * 2))
            small = ImageOps.exif_transpose(opened)
            thumb = ImageOps.fit(small, (THUMBNAIL, THUMBNAIL))
            thumb.save(out / "thumbnail.webp", "WEBP", quality=quality, method=variant_effort)
            tiny = small.copy()
            tiny.thumbnail((50, 50))  # as the worker does (svc_worker.variants.PLACEHOLDER_SIDE)
            rgba = tiny.convert("RGBA")
            rgba_to_thumb_hash(rgba.width, rgba.height, list(rgba.tobytes()))
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened)
            image.save(out / "optimized.webp", "WEBP", quality=quality, method=effort)
            for width in WIDTHS:
                if width < image.width:
                    scaled = image.copy()
                    scaled.thumbnail((width, 100_000))
                    scaled.save(out / f"w{width}.webp", "WEBP", quality=quality, method=variant_effort)

    def full(source: Path, out: Path) -> None:
        with Image.open(source) as opened:
            ImageOps.exif_transpose(opened).save(out / "optimized.webp", "WEBP", quality=quality, method=effort)

    return {"pillow-set": full_set, "pillow-full": full}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--way", required=True)
    parser.add_argument("--quality", type=int, default=80)
    parser.add_argument("--effort", type=int, default=4)
    parser.add_argument("--variant-effort", type=int, default=2)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    ways = (pillow_ways if args.way.startswith("pillow") else pyvips_ways)(
        args.quality, args.effort, args.variant_effort
    )
    make = ways[args.way]
    seconds, cpu, sizes = [], [], []
    started = time.perf_counter()
    for source in args.files:
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch)
            begin, begin_cpu = time.perf_counter(), time.process_time()
            make(source, out)
            seconds.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)
            sizes.append(sum(path.stat().st_size for path in out.iterdir()))
    json.dump(
        {
            "way": args.way,
            "wall_seconds": time.perf_counter() - started,
            "seconds": seconds,
            # CPU time of this process: on a shared machine, steadier than the wall clock.
            "cpu_seconds": sum(cpu),
            "sizes": sizes,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
