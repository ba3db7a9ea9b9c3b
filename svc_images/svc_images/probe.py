"""Deciding what an upload is from its own bytes, and its size from its header alone."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

import pyvips

from pixelflow.errors import InvalidArgument, UnsupportedMediaType
from pixelflow.media.imaging import ALLOWED_LOADERS, configure_libvips

NOT_SUPPORTED = "not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)"
UNREADABLE_HEADER = f"{NOT_SUPPORTED}: its header could not be read"
MAGIC_BYTES_NEEDED = 12

HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"}) | HEIC_BRANDS | AVIF_BRANDS
# One libvips loader reads the whole HEIF family: what it reports is narrowed by the brands.
LOADED_AS = {"image/heic": "image/heif", "image/avif": "image/heif"}

configure_libvips(pyvips)


class UnreadableHeader(InvalidArgument):
    """The bytes at hand hold no readable header (it may lie later in the file)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(UNREADABLE_HEADER + (f" {detail}" if detail else ""))


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
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return heif_content_type(head)
    return None


def heif_content_type(head: bytes) -> str:
    """HEIC or AVIF by the `ftyp` box's brands (major first, then compatible), HEIF otherwise.

    An iPhone writes major `heic`; many encoders write major `mif1` and say `heic` or `avif` among
    the compatible brands.
    """
    (box_size,) = struct.unpack(">I", head[:4])
    end = min(box_size, len(head)) if box_size >= 16 else 12
    brands = [head[8:12]] + [head[at : at + 4] for at in range(16, end - 3, 4)]
    for brand in brands:
        if brand in AVIF_BRANDS:
            return "image/avif"
        if brand in HEIC_BRANDS:
            return "image/heic"
    return "image/heif"


@dataclass(frozen=True)
class Header:
    content_type: str
    width: int
    height: int
    frames: int

    @property
    def pixels(self) -> int:
        return self.width * self.height * self.frames


def describe(image: pyvips.Image, *, content_type: str) -> Header:
    """The header of an image libvips has opened (which reads no pixel), if its loader is allowed
    and agrees with the type its leading bytes announced."""
    loader = str(image.get("vips-loader")).removesuffix("_buffer").removesuffix("_source")
    if ALLOWED_LOADERS.get(loader) != LOADED_AS.get(content_type, content_type):
        raise UnsupportedMediaType(NOT_SUPPORTED)
    frames = int(image.get("n-pages")) if image.get_typeof("n-pages") else 1
    # Opened without `n`, only the first frame is described: its height is one frame's.
    return Header(content_type=content_type, width=image.width, height=image.height, frames=max(frames, 1))


def _read_header(data: bytes, content_type: str) -> Header:
    try:
        image = pyvips.Image.new_from_buffer(data, "", access="sequential")
    except pyvips.Error as exc:
        raise UnreadableHeader() from exc
    return describe(image, content_type=content_type)


def check_pixels(header: Header, *, max_pixels: int) -> Header:
    """Refuses a header over `max_pixels`: a decompression bomb is refused before any pixel is decoded."""
    if header.pixels > max_pixels:
        raise InvalidArgument(
            f"image is {header.width}×{header.height}"
            + (f"×{header.frames} frames" if header.frames > 1 else "")
            + f", over the limit of {max_pixels:,} pixels"
        )
    return header


async def read_header(data: bytes, *, content_type: str, max_pixels: int) -> Header:
    """Reads dimensions from `data` (the file's first bytes, or a JPEG's walked header); refuses
    images over `max_pixels`."""
    return check_pixels(await asyncio.to_thread(_read_header, data, content_type), max_pixels=max_pixels)
