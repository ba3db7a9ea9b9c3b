"""What names a downloadable file of an image, for both the HTTP edge and svc_images.

`original` is the upload as it came; every other name is one of the image's stored outputs
(`optimized`, `thumbnail`, and the responsive widths `w320` ... `w2048`, whose set is a setting).
"""

from __future__ import annotations

import re

ORIGINAL = "original"
# A name a link may be asked for: checked before any lookup, so a bad one is the caller's error.
VARIANT_PATTERN = r"^(original|optimized|thumbnail|w[1-9][0-9]{1,4})$"
VARIANT_NAMES_DOC = "original, optimized, thumbnail, or a responsive width w320, w640, w1280, w2048"

_VARIANT = re.compile(VARIANT_PATTERN)


def is_variant_name(name: str) -> bool:
    return _VARIANT.fullmatch(name) is not None
