"""HEIC (HEVC in HEIF) decoded by libheif + libde265 through pillow-heif, handed to libvips as pixels.

pyvips-binary's libheif reads HEIC headers but has no HEVC decoder. libheif applies the `irot`/`imir`
transforms while decoding, so the pixels come upright; the EXIF Orientation tag that iPhones also
write must not be applied a second time (nothing here reads it, and the EXIF is dropped at save).
"""

from __future__ import annotations

from pathlib import Path

import pillow_heif
import pyvips

# pillow-heif's modes: (bands, libvips format, interpretation). Over 8 bits per sample come scaled
# to the full 16-bit range.
_MODES: dict[str, tuple[int, str, str]] = {
    "L": (1, "uchar", "b-w"),
    "LA": (2, "uchar", "b-w"),
    "RGB": (3, "uchar", "srgb"),
    "RGBA": (4, "uchar", "srgb"),
    "L;16": (1, "ushort", "grey16"),
    "RGB;16": (3, "ushort", "rgb16"),
    "RGBA;16": (4, "ushort", "rgb16"),
}
# nclx colour primaries (ITU-T H.273) that a built-in libvips profile describes: 12 is Display P3
# (iPhones), 1 and 2 (BT.709, unspecified) are sRGB already.
_NCLX_PROFILES = {12: "p3"}


class HeicError(Exception):
    """libheif could not decode the file."""


def decode_heic(path: Path) -> pyvips.Image:
    """The primary image, upright, with its colour profile attached. Decodes every pixel: check
    the header's size against the pixel limit before calling this."""
    try:
        heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=False)
        if heif.mode not in _MODES:
            raise HeicError(f"unsupported HEIC pixel format {heif.mode}")
        bands, band_format, interpretation = _MODES[heif.mode]
        width, height = heif.size
        sample_bytes = 2 if band_format == "ushort" else 1
        pixels = packed_rows(heif.data, stride=heif.stride, row_bytes=width * bands * sample_bytes)
    except (ValueError, RuntimeError, OSError, EOFError) as exc:
        raise HeicError(str(exc) or "the HEIC file could not be decoded") from exc
    image = pyvips.Image.new_from_memory(pixels, width, height, bands, band_format)
    image = image.copy(interpretation=interpretation)
    profile = heif.info.get("icc_profile") or _nclx_profile(heif.info.get("nclx_profile"))
    if profile:
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", profile)
    return image


def packed_rows(data: memoryview, *, stride: int, row_bytes: int) -> memoryview | bytes:
    """libheif may pad rows; libvips wants them back to back. Unpadded, the decoded buffer itself
    is handed over (the libvips image keeps it alive): a 48 MP photo is not copied."""
    if stride == row_bytes:
        return data
    return b"".join(data[offset : offset + row_bytes] for offset in range(0, len(data), stride))


def _nclx_profile(nclx: dict[str, object] | None) -> bytes | None:
    primaries = nclx.get("color_primaries") if nclx else None
    builtin = _NCLX_PROFILES.get(primaries) if isinstance(primaries, int) else None
    if builtin is None:
        return None
    # libvips ships the profile; a 1-pixel transform is the way to get its bytes.
    probe = pyvips.Image.black(1, 1, bands=3).copy(interpretation="srgb").icc_transform(builtin)
    profile: bytes = probe.get("icc-profile-data")
    return profile
