"""Valid images whose header lies far from the start, built as photo editors and libtiff write them."""

from __future__ import annotations

import struct

import pyvips

APP1_BODY = 65533  # the longest segment body a JPEG allows
XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"


def noise(width: int, height: int) -> pyvips.Image:
    """Pixels that do not compress, so a file's size follows its dimensions."""
    bands = [pyvips.Image.gaussnoise(width, height, mean=128, sigma=60).cast("uchar") for _ in range(3)]
    return bands[0].bandjoin(bands[1:]).copy(interpretation="srgb")


def jpeg_with_metadata(width: int, height: int, metadata_bytes: int) -> bytes:
    """A JPEG whose frame header comes after `metadata_bytes` of APP1 segments (extended XMP, as
    Adobe's tools split it)."""
    jpeg: bytes = noise(width, height).jpegsave_buffer(Q=75)
    segment = b"\xff\xe1" + struct.pack(">H", APP1_BODY + 2)
    body = XMP_EXTENSION + b"x" * (APP1_BODY - len(XMP_EXTENSION))
    return jpeg[:2] + (segment + body) * (metadata_bytes // (APP1_BODY + 4) + 1) + jpeg[2:]


def jpeg_declaring(jpeg: bytes, width: int, height: int) -> bytes:
    """`jpeg` with its frame header (SOF0/SOF2) claiming `width`×`height`."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = jpeg.rfind(marker)
        if at >= 0:
            return jpeg[: at + 5] + struct.pack(">HH", height, width) + jpeg[at + 9 :]
    raise ValueError("no frame header")


def tiff_declaring(tiff: bytes, width: int, height: int) -> bytes:
    """A little-endian TIFF with its first directory's ImageWidth/ImageLength set to `width`×`height`."""
    data = bytearray(tiff)
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
        (tag,) = struct.unpack_from("<H", data, entry)
        if tag in (256, 257):  # rewritten as LONG, whatever type they had
            struct.pack_into("<HHII", data, entry, tag, 4, 1, width if tag == 256 else height)
    return bytes(data)


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    boxes, at = [], 0
    while at < len(data):
        size, kind = struct.unpack_from(">I4s", data, at)
        boxes.append((kind, data[at : at + size]))
        at += size
    return boxes


def _shift_iloc(meta: bytes, delta: int) -> bytes:
    """`meta` with every file offset in its `iloc` moved by `delta` (construction method 0)."""
    data = bytearray(meta)
    at = data.index(b"iloc") + 4
    version = data[at]
    sizes, more = data[at + 4], data[at + 5]
    offset_size, length_size, base_size = sizes >> 4, sizes & 15, more >> 4
    index_size = more & 15 if version in (1, 2) else 0
    at += 6
    count_size = 2 if version < 2 else 4
    items = int.from_bytes(data[at : at + count_size], "big")
    at += count_size

    def shift(at: int, size: int) -> None:
        if size:
            value = int.from_bytes(data[at : at + size], "big")
            data[at : at + size] = (value + delta).to_bytes(size, "big")

    for _ in range(items):
        at += count_size
        method = 0
        if version in (1, 2):
            method = data[at + 1] & 15
            at += 2
        at += 2  # data_reference_index
        base = int.from_bytes(data[at : at + base_size], "big")
        if method == 0 and base:
            shift(at, base_size)
        at += base_size
        extents = int.from_bytes(data[at : at + 2], "big")
        at += 2
        for _ in range(extents):
            at += index_size
            if method == 0 and not base:
                shift(at, offset_size)
            at += offset_size + length_size
    return bytes(data)


def heif_with_meta_last(image: bytes, padding: int) -> bytes:
    """`image` (ftyp, meta, mdat) rewritten as ftyp, free (`padding` bytes), mdat, meta: the
    header after the pixel data, past any probe shorter than `padding`."""
    boxes = dict(_boxes(image))
    ftyp, meta, mdat = boxes[b"ftyp"], boxes[b"meta"], boxes[b"mdat"]
    free = struct.pack(">I4s", padding, b"free") + bytes(padding - 8)
    old_mdat = image.index(mdat)
    new_mdat = len(ftyp) + len(free)
    return ftyp + free + mdat + _shift_iloc(meta, new_mdat - old_mdat)
