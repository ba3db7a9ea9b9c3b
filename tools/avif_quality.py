"""Measures which AVIF quality looks like each WebP quality, for svc_worker's AVIF quality table.

"Looks like" is SSIM (on luminance, Gaussian window sigma 1.5, the usual constants) against the
source: for each WebP quality, the mean SSIM over the bench corpus (each photo reduced to ~1 MP),
then the lowest AVIF quality (effort as the worker's default) whose mean SSIM reaches it.

    .venv/bin/python tools/avif_quality.py [--effort 2] [--webp 50 60 70 80 90 95]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import pyvips

CORPUS = Path(__file__).parents[1] / "bench" / "corpus"
C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


def luminance(image: pyvips.Image) -> pyvips.Image:
    return image.colourspace("b-w").extract_band(0).cast("float")


def ssim(reference: pyvips.Image, other: pyvips.Image) -> float:
    x, y = luminance(reference), luminance(other)

    def blur(image: pyvips.Image) -> pyvips.Image:
        return image.gaussblur(1.5, precision="float")

    mu_x, mu_y = blur(x), blur(y)
    sxx = blur(x * x) - mu_x * mu_x
    syy = blur(y * y) - mu_y * mu_y
    sxy = blur(x * y) - mu_x * mu_y
    value = ((mu_x * mu_y * 2 + C1) * (sxy * 2 + C2)) / ((mu_x * mu_x + mu_y * mu_y + C1) * (sxx + syy + C2))
    return float(value.avg())


def sources() -> list[pyvips.Image]:
    images = []
    for path in sorted(CORPUS.glob("*.jpg")):
        image = pyvips.Image.thumbnail(str(path), 1200).copy_memory()
        images.append(image)
    return images


def mean_ssim(images: list[pyvips.Image], save: str, quality: int, effort: int) -> float:
    scores = []
    for image in images:
        if save == "webp":
            data = image.webpsave_buffer(Q=quality, effort=4)
        else:
            data = image.heifsave_buffer(Q=quality, compression="av1", effort=effort)
        scores.append(ssim(image, pyvips.Image.new_from_buffer(data, "")))
    return statistics.fmean(scores)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--effort", type=int, default=2)
    parser.add_argument("--webp", type=int, nargs="+", default=[50, 60, 70, 80, 90, 95])
    args = parser.parse_args()
    images = sources()
    avif = {q: mean_ssim(images, "avif", q, args.effort) for q in range(20, 101, 5)}
    for webp_quality in args.webp:
        target = mean_ssim(images, "webp", webp_quality, args.effort)
        match = next((q for q, score in sorted(avif.items()) if score >= target), 100)
        print(f"WebP Q{webp_quality}: SSIM {target:.4f} -> AVIF Q{match} (SSIM {avif[match]:.4f})")
    print("AVIF:", ", ".join(f"Q{q} {score:.4f}" for q, score in sorted(avif.items())))


if __name__ == "__main__":
    main()
