"""Incremental multipart/form-data: the `file` field's bytes flow out as they arrive.

Nothing is buffered beyond the chunk at hand and nothing is spooled to disk (unlike
`Request.form()`); the consumer (the gRPC upload stream) pulls, so back-pressure reaches the client.

Parsing runs on the event loop, so what precedes the file's bytes is bounded before it is parsed:
in parts (empty parts cost CPU and carry no bytes), in bytes (the preamble, the other fields and
every part's headers) and in time; after the file part, only a closing boundary and a short
epilogue may follow.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from python_multipart.exceptions import FormParserError, MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

from pixelflow.errors import InvalidArgument, UnsupportedMediaType

FILE_FIELD = "file"
# RFC 2046 5.1.1: a boundary is 1 to 70 characters.
MAX_BOUNDARY_LENGTH = 70

# The parser logs a WARNING for each malformed form before it raises: that is the client's error,
# answered with a 4xx and seen in the access log; at WARNING any client could fill the logs with it.
logging.getLogger("python_multipart.multipart").setLevel(logging.ERROR)


@dataclass(frozen=True)
class FormLimits:
    max_parts: int
    max_bytes_before_file: int
    max_part_header_bytes: int
    max_framing_bytes: int
    deadline_seconds: float


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    is_file: bool = False
    value: bytearray = field(default_factory=bytearray)
    # The name of a field taken besides the file (its value is collected), or "".
    taken: str = ""


_CALLBACKS = (
    "on_part_begin",
    "on_header_field",
    "on_header_value",
    "on_header_end",
    "on_headers_finished",
    "on_part_data",
    "on_part_end",
)


def form_parser(boundary: bytes, limits: FormLimits, events: object) -> MultipartParser:
    """python-multipart's streaming parser calling `events`' `_on_<event>` methods, its part headers
    bounded; a malformed boundary is 422."""
    try:
        return MultipartParser(
            boundary,
            max_header_size=limits.max_part_header_bytes,
            callbacks=cast("MultipartCallbacks", {name: getattr(events, f"_{name}") for name in _CALLBACKS}),
        )
    except FormParserError as exc:
        raise InvalidArgument(f"malformed multipart boundary: {exc}") from exc


class FileUpload:
    """Parses a request body until the `file` part starts, then streams that part's bytes."""

    def __init__(
        self, content_type: str, body: AsyncIterator[bytes], limits: FormLimits, fields: tuple[str, ...] = ()
    ) -> None:
        media_type, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise UnsupportedMediaType(f"expected multipart/form-data with a '{FILE_FIELD}' field")
        if len(boundary) > MAX_BOUNDARY_LENGTH:
            raise InvalidArgument(f"the multipart boundary is longer than {MAX_BOUNDARY_LENGTH} characters")
        self._body = body
        self._limits = limits
        self._part = _Part()
        self._out: deque[bytes] = deque()
        self._parts = 0
        self._files_seen = 0
        self._file_done = False
        self._read_before_file = 0
        self._read_after_file = 0
        self.filename = ""
        self.content_type = ""
        # Fields taken besides the file, each at most once and only before it (their bytes count
        # towards `max_bytes_before_file`), as sent: their values are the caller's to check.
        self._fields = fields
        self.fields: dict[str, str] = {}
        self._parser = form_parser(boundary, limits, self)

    def _on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > self._limits.max_parts:
            raise InvalidArgument(f"the form has more than {self._limits.max_parts} parts", field=FILE_FIELD)
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._part.header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._part.header_value += data[start:end]

    def _on_header_end(self) -> None:
        name = self._part.header_field.decode("latin-1").strip().lower()
        self._part.headers[name] = bytes(self._part.header_value)
        self._part.header_field.clear()
        self._part.header_value.clear()

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get("content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        if name in self._fields:
            self._take_field(name)
            return
        if name != FILE_FIELD:
            # A field the upload does not take is refused, not ignored: a typo in an option must not
            # pass for the default (the OpenAPI form has no additional properties).
            takes = ", ".join(f"'{taken}'" for taken in (*self._fields, FILE_FIELD))
            raise InvalidArgument(f"unknown form field {name[:64]!r}: the upload takes only {takes}", field=name)
        self._files_seen += 1
        if self._files_seen > 1:
            raise InvalidArgument(f"send exactly one '{FILE_FIELD}' field", field=FILE_FIELD)
        self._part.is_file = True
        self.filename = options.get(b"filename", b"").decode("utf-8", errors="replace")
        self.content_type = self._part.headers.get("content-type", b"").decode("latin-1")

    def _take_field(self, name: str) -> None:
        if self._files_seen:
            # The file streams on as soon as its part begins: what follows it would come too late.
            raise InvalidArgument(f"{name}: form fields must come before the '{FILE_FIELD}' field", field=name)
        if name in self.fields:
            raise InvalidArgument(f"{name}: send this field at most once", field=name)
        self.fields[name] = ""
        self._part.taken = name

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.is_file:
            self._out.append(data[start:end])
        elif self._part.taken:
            self._part.value += data[start:end]

    def _on_part_end(self) -> None:
        if self._part.is_file:
            self._file_done = True
        elif self._part.taken:
            self.fields[self._part.taken] = self._part.value.decode("utf-8", errors="replace").strip()

    def _write(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidArgument(f"malformed multipart body: {exc}", field=FILE_FIELD) from exc

    def _allowance_before_file(self) -> int:
        """How many more bytes may be parsed while the file part has not begun."""
        if not self._parts:
            return self._limits.max_framing_bytes - self._read_before_file
        return self._limits.max_bytes_before_file - self._read_before_file

    def _refuse_before_file(self) -> InvalidArgument:
        if not self._parts:
            return InvalidArgument(f"the form's preamble is over {self._limits.max_framing_bytes:,} bytes")
        return InvalidArgument("form fields besides the file are too large")

    def _feed(self, chunk: bytes) -> None:
        """Parses `chunk`, never more of it than the limits allow: the excess is refused unparsed."""
        while chunk and not self._files_seen:
            allowance = self._allowance_before_file()
            if allowance <= 0:
                raise self._refuse_before_file()
            head, chunk = chunk[:allowance], chunk[allowance:]
            self._read_before_file += len(head)
            self._write(head)
        if not chunk:
            return
        if self._file_done:
            self._read_after_file += len(chunk)
            if self._read_after_file > self._limits.max_framing_bytes:
                limit = self._limits.max_framing_bytes
                raise InvalidArgument(f"the form after the '{FILE_FIELD}' field is over {limit:,} bytes")
        self._write(chunk)

    async def start(self) -> None:
        """Reads until the `file` part's headers are parsed, within the form's deadline; 422 when
        the body has no such part."""
        try:
            async with asyncio.timeout(self._limits.deadline_seconds):
                async for chunk in self._body:
                    self._feed(chunk)
                    if self._files_seen:
                        return
        except TimeoutError:
            raise InvalidArgument(
                f"the '{FILE_FIELD}' field did not begin within {self._limits.deadline_seconds:g} s", field=FILE_FIELD
            ) from None
        raise InvalidArgument(f"the multipart body has no '{FILE_FIELD}' field", field=FILE_FIELD)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes, as the client sends them; the rest of the body is still checked."""
        while True:
            while self._out:
                chunk = self._out.popleft()
                if chunk:
                    yield chunk
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                break
            self._feed(chunk)
        self._parser.finalize()
        if not self._file_done:
            raise InvalidArgument(f"the '{FILE_FIELD}' field ends before its boundary: the upload was cut off")
        while self._out:
            yield self._out.popleft()
