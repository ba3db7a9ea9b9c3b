"""What pixelflow accepts as an image, shared by svc_images (probing) and svc_worker (converting)."""

from __future__ import annotations

from types import ModuleType

# libvips loaders allowed to touch user bytes; anything else (SVG, PDF, matrix, raw, ...) is refused.
ALLOWED_LOADERS: dict[str, str] = {
    "jpegload": "image/jpeg",
    "pngload": "image/png",
    "webpload": "image/webp",
    "gifload": "image/gif",
    "tiffload": "image/tiff",
    "heifload": "image/heif",
}
# Loader classes blocked outright, so not even a header is parsed by them.
BLOCKED_OPERATIONS = (
    "VipsForeignLoadSvg",
    "VipsForeignLoadPdf",
    "VipsForeignLoadMagick",
    "VipsForeignLoadMatrix",
    "VipsForeignLoadCsv",
    "VipsForeignLoadVips",
    "VipsForeignLoadRaw",
    "VipsForeignLoadFits",
    "VipsForeignLoadAnalyze",
    "VipsForeignLoadPpm",
    "VipsForeignLoadRad",
    "VipsForeignLoadMat",
    "VipsForeignLoadOpenslide",
    "VipsForeignLoadOpenexr",
    "VipsForeignLoadJxl",
    "VipsForeignLoadJp2k",
)


def configure_libvips(pyvips: ModuleType) -> None:
    """What a process does before libvips touches user bytes (pyvips is passed in: contracts
    itself does not depend on it)."""
    pyvips.block_untrusted_set(True)
    for operation in BLOCKED_OPERATIONS:
        pyvips.operation_block_set(operation, True)
    # Every image is opened once: the operation cache would only keep its pixels (or, in svc_images,
    # up to a hundred upload prefixes) alive. Off, a conversion peaks ~30 MB lower.
    pyvips.cache_set_max(0)
