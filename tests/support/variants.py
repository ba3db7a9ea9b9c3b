"""A camera-like photo for the variant tests: Display P3 pixels with the profile embedded, EXIF
orientation 6, camera make and model, and a GPS position; and what decoding a variant must show."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pyvips
from PIL import Image

from tests.support import formats

CAMERA = "PixelCam"
# Stored sideways (orientation 6: turn 90° clockwise to view): the left half shows on top.
TOP, BOTTOM = (220, 40, 40), (40, 60, 200)
METADATA_PREFIXES = ("exif", "xmp", "iptc", "orientation")


def camera_photo(width: int, height: int, *, gps: bool = True) -> bytes:
    """A JPEG stored `width`×`height`, shown `height`×`width`: its left half (TOP, in sRGB terms)
    becomes the top once turned."""
    profile = formats.icc_profile("display-p3")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "p3.icc"
        path.write_bytes(profile)
        pixels = formats.halves(width, height, TOP, BOTTOM).icc_transform(
            str(path), input_profile="srgb", intent="relative"
        )
    picture = Image.frombytes("RGB", (width, height), pixels.cast("uchar").write_to_memory())
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = CAMERA, "Model X", 6
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif, icc_profile=profile)
    return out.getvalue()


def check_variant(data: bytes, *, width: int, height: int) -> pyvips.Image:
    """A stored variant: a WebP of that size, upright, in sRGB, with no metadata of any kind."""
    image = pyvips.Image.new_from_buffer(data, "")
    assert image.get("vips-loader") == "webpload_buffer"
    assert (image.width, image.height) == (width, height)
    assert [f for f in image.get_fields() if f.startswith(METADATA_PREFIXES)] == []
    assert not image.get_typeof("icc-profile-data")  # the colours were converted, not labelled
    for marker in (b"Exif", b"GPS", CAMERA.encode(), b"XMP", b"ICCP"):
        assert marker not in data
    top = image.getpoint(image.width // 2, image.height // 5)
    bottom = image.getpoint(image.width // 2, image.height * 4 // 5)
    # Turned upright, and the P3 pixels converted back to their sRGB colours (a few units of JPEG loss).
    assert all(abs(a - e) <= 12 for a, e in zip(top[:3], TOP, strict=True)), top
    assert all(abs(a - e) <= 12 for a, e in zip(bottom[:3], BOTTOM, strict=True)), bottom
    return image
