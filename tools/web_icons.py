"""Writes the web app's icons (web/public/icons/) from one SVG drawn here: a photo frame with a
mountain and a sun in the app's accent colour. Run once after changing the drawing; the PNGs are
committed (the manifest needs 192 and 512 px PNGs; `maskable` keeps the drawing in the safe zone)."""

from __future__ import annotations

from pathlib import Path

import pyvips

TARGET = Path(__file__).parents[1] / "web" / "public" / "icons"
ACCENT = "#1f5fd1"


def drawing(*, padding: float) -> str:
    """A 512-unit square; `padding` shrinks the glyph toward the centre (maskable icons are cropped)."""
    scale = 1 - 2 * padding
    offset = 512 * padding
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <rect width="512" height="512" rx="{0 if padding else 96}" fill="{ACCENT}"/>
  <g transform="translate({offset} {offset}) scale({scale})">
    <rect x="96" y="128" width="320" height="256" rx="28" fill="none" stroke="#fff" stroke-width="28"/>
    <circle cx="320" cy="200" r="30" fill="#fff"/>
    <path d="M124 356 L220 240 L290 318 L330 276 L388 356 Z" fill="#fff"/>
  </g>
</svg>
"""


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    plain = drawing(padding=0)
    (TARGET / "icon.svg").write_text(plain)
    for name, svg, size in (
        ("icon-192.png", plain, 192),
        ("icon-512.png", plain, 512),
        ("apple-touch-icon.png", drawing(padding=0.1), 180),
        ("maskable-512.png", drawing(padding=0.1), 512),
    ):
        image = pyvips.Image.svgload_buffer(svg.encode(), scale=size / 512)
        image.pngsave(str(TARGET / name), compression=9, keep=pyvips.ForeignKeep.NONE)


if __name__ == "__main__":
    main()
