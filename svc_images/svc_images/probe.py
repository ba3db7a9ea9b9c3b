"""Deciding what an upload is from its own bytes, and its size from its header alone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pyvips

from pixelflow.errors import InvalidArgument, UnsupportedMediaType
from pixelflow.imaging import ALLOWED_LOADERS, configure_libvips

NOT_SUPPORTED = "not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)"
MAGIC_BYTES_NEEDED = 12

configure_libvips(pyvips)


def sniff_content_type(head: bytes) -> str | None:
    """The image type the leading bytes announce, or None. Names and declared types are ignored."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"):
        return "image/heif"
    return None


@dataclass(frozen=True)
class Header:
    content_type: str
    width: int
    height: int
    frames: int

    @property
    def pixels(self) -> int:
        return self.width * self.height * self.frames


def _read_header(prefix: bytes) -> Header:
    try:
        # Opening reads the header only: no pixel is decoded here.
        image = pyvips.Image.new_from_buffer(prefix, "", access="sequential")
        loader = str(image.get("vips-loader")).removesuffix("_buffer")
        frames = int(image.get("n-pages")) if image.get_typeof("n-pages") else 1
    except pyvips.Error as exc:
        raise InvalidArgument(f"{NOT_SUPPORTED}: its header could not be read") from exc
    if loader not in ALLOWED_LOADERS:
        raise UnsupportedMediaType(NOT_SUPPORTED)
    # Opened without `n`, only the first frame is described: its height is one frame's.
    return Header(content_type=ALLOWED_LOADERS[loader], width=image.width, height=image.height, frames=max(frames, 1))


async def read_header(prefix: bytes, *, max_pixels: int) -> Header:
    """Reads dimensions from the first bytes of the file; refuses images over `max_pixels`."""
    header = await asyncio.to_thread(_read_header, prefix)
    if header.pixels > max_pixels:
        raise InvalidArgument(
            f"image is {header.width}×{header.height}"
            + (f"×{header.frames} frames" if header.frames > 1 else "")
            + f", over the limit of {max_pixels:,} pixels"
        )
    return header
