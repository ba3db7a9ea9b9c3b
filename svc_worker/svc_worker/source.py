"""Open an original once: identify it, enforce the pixel limit on its header, and give back an
upright image. libvips' own formats are read lazily, when the image is rendered; HEIC and APNG, which
libvips cannot decode, are decoded here, once the header has passed the limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyvips

from pixelflow.media.imaging import ALLOWED_LOADERS, configure_libvips
from svc_worker.apng import ApngError, apng_frames, decode_apng
from svc_worker.heic import HeicError, decode_heic

configure_libvips(pyvips)

# libvips decodes every frame of these; other loaders give the first frame or TIFF page (APNG: apng.py).
ANIMATED_LOADERS = {"gifload", "webpload"}


class BrokenImage(Exception):
    """The image itself cannot be converted; trying again would not help."""


@dataclass(frozen=True)
class Source:
    image: pyvips.Image
    loader: str
    frames: int
    # One frame's height: `image` stacks the frames vertically.
    page_height: int
    # The original's metadata holds a GPS position (its EXIF GPS IFD); no output keeps it.
    has_location: bool = False
    # `image` is already decoded into memory: it can be read again and again.
    decoded: bool = False


def reason(exc: pyvips.Error) -> str:
    return one_line(str(exc.detail or exc.message))


def one_line(text: str) -> str:
    return " ".join(text.split())[:300] or "the image could not be decoded"


def open_source(path: Path, *, max_pixels: int) -> Source:
    """Blocking. Raises BrokenImage for what cannot be converted; decodes no pixel of an image over
    `max_pixels` (counted over every frame)."""
    try:
        header = pyvips.Image.new_from_file(str(path), access="sequential")
        loader = str(header.get("vips-loader")).removesuffix("_file").removesuffix("_source")
        if loader not in ALLOWED_LOADERS:
            raise BrokenImage("not a supported image")
        animated = loader in ANIMATED_LOADERS and header.get_typeof("n-pages") and header.get("n-pages") > 1
        frames = int(header.get("n-pages")) if animated else _apng_frames(path) if loader == "pngload" else 1
        # Opened without `n`, the header holds one frame: its height is the page height.
        if header.width * header.height * frames > max_pixels:
            raise BrokenImage(f"image is over the limit of {max_pixels:,} pixels")
        located = has_location(header)
        if loader == "heifload" and header.get_typeof("heif-compression") and header.get("heif-compression") == "hevc":
            return replace(_decoded(decode_heic, path, loader=loader, frames=1), has_location=located)
        if frames > 1 and loader == "pngload":
            return replace(_decoded(decode_apng, path, loader=loader, frames=frames), has_location=located)
        image = pyvips.Image.new_from_file(str(path), **_load_options(loader, animated=animated))
    except pyvips.Error as exc:
        raise BrokenImage(reason(exc)) from exc
    page_height = int(image.get("page-height")) if animated else image.height
    return Source(image=image, loader=loader, frames=frames, page_height=page_height, has_location=located)


# libvips names the EXIF GPS IFD's tags `exif-ifd3-*`; a position needs a latitude or a longitude.
_GPS_FIELDS = ("exif-ifd3-GPSLatitude", "exif-ifd3-GPSLongitude")


def has_location(header: pyvips.Image) -> bool:
    """The image's metadata holds a GPS position (read from the header: no pixel decoded)."""
    if any(header.get_typeof(field) for field in _GPS_FIELDS):
        return True
    # Photo editors may carry the position in XMP only (exif:GPSLatitude).
    return bool(header.get_typeof("xmp-data")) and b"GPSLatitude" in bytes(header.get("xmp-data"))


def _load_options(loader: str, *, animated: bool) -> dict[str, object]:
    # fail_on="truncated": a cut-off file must fail, not decode as grey.
    options: dict[str, object] = {"access": "sequential", "fail_on": "truncated"}
    if animated:
        options["n"] = -1
    if "autorotate" in pyvips.Introspect.get(loader).optional_input:
        options["autorotate"] = True
    return options


def _apng_frames(path: Path) -> int:
    try:
        return apng_frames(path)
    except ApngError as exc:
        raise BrokenImage(one_line(str(exc))) from exc


def _decoded(decode: Callable[[Path], pyvips.Image], path: Path, *, loader: str, frames: int) -> Source:
    """Formats libvips cannot decode itself, decoded in full here (the pixel limit is checked)."""
    try:
        image = decode(path)
    except (HeicError, ApngError) as exc:
        raise BrokenImage(one_line(str(exc))) from exc
    return Source(image=image, loader=loader, frames=frames, page_height=image.height // frames, decoded=True)
