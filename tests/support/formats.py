"""Generators of real-world image classes that photo services trip over, built in the tests.

Every fixture is made here, from pixels, by the same libraries a camera or editor would use
(libjpeg, libpng, libtiff, libwebp through pyvips; libheif + x265 through pillow-heif; Pillow for
APNG and GIF) or by writing the few bytes no library writes (YCCK, Ultra HDR, motion photos).
"""

from __future__ import annotations

import io
import struct
import tempfile
from pathlib import Path

import pillow_heif
import pyvips
from PIL import Image

RGB = tuple[int, int, int]


def flat(width: int, height: int, colour: RGB) -> pyvips.Image:
    return (pyvips.Image.black(width, height, bands=3) + list(colour)).cast("uchar").copy(interpretation="srgb")


def halves(width: int, height: int, left: RGB, right: RGB) -> pyvips.Image:
    """Left half one colour, right half another: shows which way an image was turned."""
    half = width // 2
    return flat(half, height, left).join(flat(width - half, height, right), "horizontal")


def gradient(width: int, height: int) -> pyvips.Image:
    """Cheap to encode at any size, yet not a single colour."""
    ramp = pyvips.Image.xyz(width, height)
    bands = (ramp[0] % 256).bandjoin([ramp[1] % 256, (ramp[0] + ramp[1]) % 256])
    return bands.cast("uchar").copy(interpretation="srgb")


def jpeg(image: pyvips.Image, **options: object) -> bytes:
    data: bytes = image.jpegsave_buffer(**options)
    return data


def png(image: pyvips.Image, **options: object) -> bytes:
    data: bytes = image.pngsave_buffer(**options)
    return data


# --- JPEG classes -------------------------------------------------------------------------------


def progressive_jpeg_with_restarts(width: int = 256, height: int = 160) -> bytes:
    return jpeg(gradient(width, height), interlace=True, restart_interval=4, Q=90)


def truncated_jpeg() -> bytes:
    data = jpeg(gradient(512, 512), Q=95)
    return data[: len(data) // 2]


def jpeg_with_appended(extra: bytes, image: pyvips.Image | None = None) -> tuple[bytes, bytes]:
    """(the plain JPEG, the same JPEG with `extra` after its EOI marker)."""
    plain = jpeg(image if image is not None else gradient(240, 160), Q=90)
    return plain, plain + extra


def mp4_bytes(marker: bytes) -> bytes:
    """An MP4-shaped trailer (ftyp + mdat boxes) whose payload is `marker`, repeated."""
    ftyp = b"isom" + struct.pack(">I", 512) + b"isomiso2mp41"
    payload = marker * 64
    return struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp + struct.pack(">I", 8 + len(payload)) + b"mdat" + payload


def motion_photo() -> tuple[bytes, bytes, bytes]:
    """Samsung/Pixel style: a JPEG still with the video appended after EOI. (plain, motion, marker)"""
    marker = b"VIDEO-FRAME-BYTES-"
    plain, motion = jpeg_with_appended(mp4_bytes(marker))
    return plain, motion, marker


def ultra_hdr() -> tuple[bytes, bytes]:
    """Ultra HDR (Pixel): the SDR JPEG with an hdrgm XMP and an MPF index, the gain map JPEG appended.
    Returns (plain primary, Ultra HDR file)."""
    primary = jpeg(gradient(240, 160), Q=90)
    gain_map = jpeg(flat(120, 80, (128, 128, 128)).extract_band(0), Q=80)
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\0"
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/" hdrgm:Version="1.0"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    # MPF (CIPA DC-007): big-endian TIFF header, one IFD with the two-entry image list.
    mp_entries = struct.pack(">IIIHH", 0x00030000, 0, 0, 0, 0) + struct.pack(">IIIHH", 0, len(gain_map), 0, 0, 0)
    ifd = struct.pack(">H", 3)
    ifd += struct.pack(">HHI4s", 0xB000, 7, 4, b"0100")
    ifd += struct.pack(">HHII", 0xB001, 4, 1, 2)
    ifd += struct.pack(">HHII", 0xB002, 7, len(mp_entries), 8 + 2 + 3 * 12 + 4)
    mpf = b"MPF\0" + b"MM\0*" + struct.pack(">I", 8) + ifd + struct.pack(">I", 0) + mp_entries
    segments = _segment(0xE1, xmp) + _segment(0xE2, mpf)
    return primary, primary[:2] + segments + primary[2:] + gain_map


def jpeg_with_editor_metadata(megabytes: int) -> tuple[bytes, bytes]:
    """Photoshop style: megabytes of extended-XMP APP1 segments before the frame header.
    Returns (plain JPEG, the same with the metadata)."""
    plain = jpeg(gradient(240, 160), Q=90)
    chunk = b"http://ns.adobe.com/xmp/extension/\0" + b"PIXELFLOW-XMP-" * 4600
    segments = _segment(0xE1, chunk) * (megabytes * 1024 * 1024 // len(chunk) + 1)
    return plain, plain[:2] + segments + plain[2:]


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def cmyk_jpeg(colour: RGB, size: tuple[int, int] = (64, 48)) -> bytes:
    """A print-workflow JPEG: CMYK through libvips' press profile, written by libjpeg with the Adobe
    APP14 marker (inverted samples, as Photoshop writes them)."""
    return jpeg(flat(*size, colour).icc_transform("cmyk"), Q=95)


def ycck_jpeg(colour: RGB, size: tuple[int, int] = (64, 48)) -> bytes:
    """The same CMYK, stored as YCCK (Adobe APP14 transform 2), which no encoder here offers:
    Pillow writes the YCC+K samples as if they were CMYK, then the APP14 flag is switched to YCCK."""
    cmyk = flat(*size, colour).icc_transform("cmyk")
    c, m, y, k = (int(v) for v in cmyk.getpoint(0, 0))
    # Adobe stores inverted ink; libjpeg turns YCCK into that as 255 - RGB(YCC), so the YCbCr
    # transform is taken of the ink values themselves. K stays inverted.
    r, g, b = c, m, y
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    samples = tuple(max(0, min(255, round(v))) for v in (luma, cb, cr, 255 - k))
    out = io.BytesIO()
    # Pillow inverts CMYK samples when writing them with an Adobe marker: pre-invert.
    Image.new("CMYK", size, tuple(255 - v for v in samples)).save(out, "JPEG", quality=95)
    data = bytearray(out.getvalue())
    adobe = data.find(b"Adobe")
    assert data[adobe - 4 : adobe - 2] == b"\xff\xee", "Pillow wrote no Adobe APP14 marker"
    # After "Adobe": version (2 bytes), flags0 (2), flags1 (2), then the colour transform (1).
    data[adobe + 11] = 2
    return bytes(data)


# --- colour profiles ----------------------------------------------------------------------------

D50 = (0.9642, 1.0, 0.8249)
# name: (red, green, blue primaries as xy, white point xy, tone curve: gamma or "srgb")
PROFILES: dict[str, tuple[tuple[tuple[float, float], ...], tuple[float, float], float | str]] = {
    "display-p3": (((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)), (0.3127, 0.3290), "srgb"),
    "adobe-rgb": (((0.64, 0.33), (0.21, 0.71), (0.15, 0.06)), (0.3127, 0.3290), 563 / 256),
    "prophoto": (((0.7347, 0.2653), (0.1596, 0.8404), (0.0366, 0.0001)), (0.3457, 0.3585), 1.8),
}


def icc_profile(name: str) -> bytes:
    """A matrix/TRC ICC v2 display profile, as editors embed for these spaces."""
    primaries, white, curve = PROFILES[name]
    colorants = _d50_colorants(primaries, white)
    trc = _para(curve) if curve == "srgb" else b"curv" + bytes(4) + struct.pack(">IH", 1, round(float(curve) * 256))
    ascii_name = name.encode()
    desc = b"desc" + bytes(4) + struct.pack(">I", len(ascii_name) + 1) + ascii_name + b"\0" + bytes(12) + bytes(67)
    tags = [
        (b"desc", desc),
        (b"cprt", b"text" + bytes(4) + b"No copyright, generated in tests\0"),
        (b"wtpt", _xyz(D50)),
        (b"rXYZ", _xyz(colorants[0])),
        (b"gXYZ", _xyz(colorants[1])),
        (b"bXYZ", _xyz(colorants[2])),
        (b"rTRC", trc),
        (b"gTRC", trc),
        (b"bTRC", trc),
    ]
    table, body = b"", b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = struct.pack(">I4sI4s4s4s", size, b"lcms", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
    header += bytes(12) + b"acsp" + bytes(4) + bytes(4) + bytes(4) + bytes(4) + bytes(8) + bytes(4)
    header += _s15(D50) + bytes(4) + bytes(16) + bytes(28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def _s15(values: tuple[float, ...]) -> bytes:
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def _xyz(values: tuple[float, ...]) -> bytes:
    return b"XYZ " + bytes(4) + _s15(values)


def _para(_: object) -> bytes:
    # IEC 61966-2-1 (sRGB) curve: parametric type 3.
    params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    return b"para" + bytes(4) + struct.pack(">HH", 3, 0) + _s15(params)


Matrix = list[list[float]]


def _d50_colorants(
    primaries: tuple[tuple[float, float], ...], white: tuple[float, float]
) -> list[tuple[float, float, float]]:
    def xyz(x: float, y: float) -> list[float]:
        return [x / y, 1.0, (1 - x - y) / y]

    columns = [xyz(*p) for p in primaries]
    m = [[columns[c][r] for c in range(3)] for r in range(3)]
    scale = _solve(m, xyz(*white))
    rgb_to_xyz = [[m[r][c] * scale[c] for c in range(3)] for r in range(3)]
    bradford = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]
    source_cone, d50_cone = _apply(bradford, xyz(*white)), _apply(bradford, list(D50))
    gain = [[d50_cone[i] / source_cone[i] if i == j else 0.0 for j in range(3)] for i in range(3)]
    adapt = _mul(_inverse(bradford), _mul(gain, bradford))
    adapted = _mul(adapt, rgb_to_xyz)
    return [(adapted[0][c], adapted[1][c], adapted[2][c]) for c in range(3)]


def _apply(m: Matrix, v: list[float]) -> list[float]:
    return [sum(m[r][c] * v[c] for c in range(3)) for r in range(3)]


def _mul(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)] for r in range(3)]


def _inverse(m: Matrix) -> Matrix:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    adj = [
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ]
    return [[adj[r][c] / det for c in range(3)] for r in range(3)]


def _solve(m: Matrix, v: list[float]) -> list[float]:
    return _apply(_inverse(m), v)


def jpeg_in_profile(name: str, srgb: RGB) -> tuple[bytes, RGB]:
    """A JPEG whose pixels are `srgb` expressed in profile `name`, with that profile embedded.
    Returns the file and the raw pixel value it stores (what a viewer ignoring the profile shows)."""
    profile = icc_profile(name)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{name}.icc"
        path.write_bytes(profile)
        converted = flat(32, 32, srgb).icc_transform(str(path), input_profile="srgb", intent="relative")
    image = converted.copy()
    image.set_type(pyvips.GValue.blob_type, "icc-profile-data", profile)
    stored = tuple(int(v) for v in image.getpoint(0, 0))
    return jpeg(image, Q=98), (stored[0], stored[1], stored[2])


# --- PNG, TIFF, animations -----------------------------------------------------------------------


def png16_with_alpha(colour16: tuple[int, int, int], alpha16: int, size: tuple[int, int] = (48, 32)) -> bytes:
    width, height = size
    image = pyvips.Image.black(width, height, bands=4).linear(1, [*colour16, alpha16]).cast("ushort")
    return png(image.copy(interpretation="rgb16"), bitdepth=16)


def palette_png_with_transparency(size: tuple[int, int] = (48, 32)) -> bytes:
    """An indexed PNG (PLTE + tRNS): opaque red on the left, fully transparent on the right."""
    width, height = size
    image = Image.new("P", size, 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.paste(1, (width // 2, 0, width, height))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=bytes([255, 0]))
    return out.getvalue()


def multipage_tiff(colours: list[RGB], size: tuple[int, int] = (40, 30)) -> bytes:
    width, height = size
    pages = pyvips.Image.arrayjoin([flat(width, height, c) for c in colours], across=1).copy()
    pages.set_type(pyvips.GValue.gint_type, "page-height", height)
    data: bytes = pages.tiffsave_buffer(compression="deflate")
    return data


def frame_delays(frames: int) -> list[int]:
    """Milliseconds, each frame its own (GIF counts in hundredths: these survive it)."""
    return [100 * (i + 1) for i in range(frames)]


def _pillow_frames(colours: list[RGB], size: tuple[int, int]) -> list[Image.Image]:
    return [Image.new("RGB", size, c) for c in colours]


def apng(colours: list[RGB], size: tuple[int, int] = (40, 30)) -> bytes:
    first, *rest = _pillow_frames(colours, size)
    out = io.BytesIO()
    first.save(out, "PNG", save_all=True, append_images=rest, duration=frame_delays(len(colours)), loop=0)
    return out.getvalue()


def animated_webp(colours: list[RGB], size: tuple[int, int] = (40, 30)) -> bytes:
    width, height = size
    strip = pyvips.Image.arrayjoin([flat(width, height, c) for c in colours], across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", frame_delays(len(colours)))
    data: bytes = strip.webpsave_buffer(lossless=True)
    return data


def gif_with_local_palettes(colours: list[RGB], size: tuple[int, int] = (40, 30)) -> bytes:
    """Every frame with its own colour table (no global one covers them all)."""
    frames = [f.quantize(colors=2) for f in _pillow_frames(colours, size)]
    out = io.BytesIO()
    delays = frame_delays(len(colours))
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=delays, loop=0, optimize=False)
    data = out.getvalue()
    return data


# --- HEIF ---------------------------------------------------------------------------------------


# nclx (ITU-T H.273) colour description of Display P3, as some HEIF writers give it instead of an ICC.
NCLX_DISPLAY_P3 = {
    "color_primaries": 12,
    "transfer_characteristics": 13,
    "matrix_coefficients": 6,
    "full_range_flag": 1,
}


def heic(
    image: Image.Image, *, exif_orientation: int | None = None, quality: int = 90, nclx: dict[str, int] | None = None
) -> bytes:
    """A HEIC as an iPhone writes it: HEVC, and for a turned photo both an `irot` box (pillow-heif
    writes it from the EXIF orientation) and the EXIF Orientation tag itself."""
    out = io.BytesIO()
    options: dict[str, object] = {"quality": quality}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        options["exif"] = exif.tobytes()
    if nclx is not None:
        options["nclx_profile"] = nclx
    pillow_heif.from_pillow(image).save(out, **options)
    return out.getvalue()


def heic_10bit(colour16: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    width, height = size
    pixels = struct.pack("<HHH", *colour16) * (width * height)
    out = io.BytesIO()
    pillow_heif.from_bytes("RGB;16", size, pixels).save(out, quality=95)
    return out.getvalue()


def avif(image: pyvips.Image, *, exif_orientation: int | None = None) -> bytes:
    """libvips writes an EXIF orientation as an `irot`/`imir` box and keeps the tag too, like iPhones."""
    if exif_orientation is not None:
        image = image.copy()
        image.set_type(pyvips.GValue.gint_type, "orientation", exif_orientation)
    data: bytes = image.heifsave_buffer(compression="av1", effort=2, Q=90)
    return data


def pillow_halves(size: tuple[int, int], left: RGB, right: RGB) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, left)
    image.paste(right, (width // 2, 0, width, height))
    return image
