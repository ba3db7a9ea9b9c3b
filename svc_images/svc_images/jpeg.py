"""Reading a JPEG's structure as its bytes stream by, without holding them."""

from __future__ import annotations

import re
import struct

from pixelflow.errors import InvalidArgument
from svc_images.probe import UnreadableHeader

SOI, SOS, EOI, TEM, COM, APP14 = 0xD8, 0xDA, 0xD9, 0x01, 0xFE, 0xEE
RESTARTS = range(0xD0, 0xD8)
APPLICATION = range(0xE0, 0xF0)
NOT_FILL = re.compile(rb"[^\xff]")


class JpegScanCounter:
    """Counts start-of-scan markers (FF DA) as bytes stream by.

    libjpeg only warns about a bogus progression, so a JPEG repeating one scan thousands of times
    decodes every repeat: seconds to minutes of CPU from a small file. Entropy-coded data stuffs
    every FF byte, so FF DA appears only as a marker (or, rarely, inside metadata: an overcount).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.scans = 0
        self._last = b""

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return  # an empty chunk must not forget an FF that ended the previous one
        self.scans += (self._last + chunk[:1]).count(b"\xff\xda") + chunk.count(b"\xff\xda")
        self._last = chunk[-1:]
        if self.scans > self.limit:
            raise InvalidArgument(f"the JPEG has more than {self.limit} scans")


class JpegHeaderWalker:
    """Walks a JPEG's marker segments up to its first scan, as chunks arrive, and keeps only what
    libjpeg's header read needs: SOI, the tables, the frame header (SOF) and the scan header.

    Photo editors write megabytes of metadata before the frame header (Adobe's extended XMP split
    over dozens of APP1 segments, previews in APP2/APP13): those segments are skipped as they pass,
    so the header can be decided however late it sits, while the bytes flow on to storage. The
    application segments and comments carry no geometry (APP14 is kept: it says how the colours
    are coded). Once found, `header` is a small JPEG that opens as the original does, minus its
    metadata and pixels.
    """

    def __init__(self, *, max_header_bytes: int, max_segments: int) -> None:
        self.header: bytes | None = None
        self._max_header_bytes = max_header_bytes
        self._max_segments = max_segments
        self._kept: list[bytes] = []
        self._kept_size = 0
        self._segments = 0
        self._marker = bytearray()  # FF, the marker byte, then the two length bytes, as they come
        self._started = False
        self._body_kept = 0  # body bytes of a kept segment still to come
        self._skip = 0  # body bytes of a skipped segment still to come
        self._scan_header = False

    def feed(self, chunk: bytes) -> None:
        at = 0
        while at < len(chunk) and self.header is None:
            if self._skip:
                taken = min(self._skip, len(chunk) - at)
                self._skip -= taken
            elif self._body_kept:
                taken = min(self._body_kept, len(chunk) - at)
                self._kept.append(chunk[at : at + taken])
                self._body_kept -= taken
                if not self._body_kept and self._scan_header:
                    self.header = b"".join(self._kept)
            else:
                taken = self._marker_byte(chunk, at)
            at += taken

    def _marker_byte(self, chunk: bytes, at: int) -> int:
        """Takes in one byte of a marker (or a run of fill bytes); returns how many it took."""
        byte = chunk[at]
        if not self._marker:
            if byte != 0xFF:
                raise UnreadableHeader()
        elif len(self._marker) == 1:
            if byte == 0xFF:  # fill bytes may precede any marker
                found = NOT_FILL.search(chunk, at)
                return (found.start() if found else len(chunk)) - at
            if not self._started:
                if byte != SOI:
                    raise UnreadableHeader()
                self._started = True
                self._keep(b"\xff\xd8")
                self._marker.clear()
                return 1
            if byte == TEM:
                self._marker.clear()
                return 1
            if byte in (SOI, EOI, 0x00) or byte in RESTARTS:
                raise UnreadableHeader()  # no frame before the image (or the file) ended
        self._marker.append(byte)
        if len(self._marker) == 4:
            self._segment_started()
        return 1

    def _segment_started(self) -> None:
        marker = self._marker[1]
        (length,) = struct.unpack(">H", self._marker[2:4])
        if length < 2:
            raise UnreadableHeader()
        self._segments += 1
        if self._segments > self._max_segments:
            raise UnreadableHeader(f"within {self._max_segments:,} JPEG segments")
        if marker == COM or (marker in APPLICATION and marker != APP14):
            self._skip = length - 2
        else:
            self._keep(bytes(self._marker), body=length - 2)
            self._scan_header = marker == SOS
            if not self._body_kept and self._scan_header:
                self.header = b"".join(self._kept)
        self._marker.clear()

    def _keep(self, data: bytes, *, body: int = 0) -> None:
        """Keeps `data`, and the `body` bytes that follow it as they come."""
        self._kept.append(data)
        self._kept_size += len(data) + body
        if self._kept_size > self._max_header_bytes:
            raise UnreadableHeader(f"within {self._max_header_bytes:,} bytes of JPEG tables")
        self._body_kept = body
