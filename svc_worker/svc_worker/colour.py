"""Every output is sRGB without a profile: pixels are converted, never reinterpreted.

Embedded profiles (Display P3, Adobe RGB, ProPhoto, a CMYK press profile, ...) are applied once,
here, with the relative colorimetric intent: colours inside sRGB keep their exact value, colours
beyond it are clipped to its edge. WebP viewers that ignore profiles then still show the right
colours, and no output carries a profile of a few kilobytes.
"""

from __future__ import annotations

import pyvips

PROFILE_FIELD = "icc-profile-data"


def to_srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (or grey), alpha kept, no profile attached."""
    if image.interpretation == "cmyk":
        # A CMYK JPEG without a profile still needs one: libvips' built-in press profile.
        image = image.icc_transform("srgb", embedded=True, input_profile="cmyk", intent="relative")
    elif image.get_typeof(PROFILE_FIELD):
        # A profile for another colour space is dropped at load; one lcms cannot use falls back to
        # sRGB inside libvips: neither fails the conversion.
        image = image.icc_transform("srgb", embedded=True, intent="relative")
    if image.format != "uchar":
        image = _to_8_bit(image)
    if image.get_typeof(PROFILE_FIELD):
        image = image.copy()
        image.remove(PROFILE_FIELD)
    return image


def _to_8_bit(image: pyvips.Image) -> pyvips.Image:
    """16-bit PNG/TIFF/HEIC, float TIFF (linear scRGB), Lab TIFF, ...: libvips knows each scale."""
    wide = image.bands >= 3
    if image.format == "ushort" and image.interpretation not in ("rgb16", "grey16"):
        # Some TIFFs label 16-bit samples plain "srgb": say what they are, or they would be clipped.
        image = image.copy(interpretation="rgb16" if wide else "grey16")
    image = image.colourspace("srgb" if wide else "b-w")
    return image if image.format == "uchar" else image.cast("uchar")
