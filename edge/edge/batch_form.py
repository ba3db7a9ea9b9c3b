"""Incremental multipart/form-data with many `file` parts: each file's bytes flow out as they
arrive, one file after the other, like `edge.multipart.FileUpload` does for one.

Nothing is buffered beyond the chunk at hand: a file is read by its own upload while it streams, and
what its upload did not read (a refused file) is read and dropped before the next file begins, so
memory does not depend on the number or the size of the files. The option fields come first; what
precedes the first file is bounded in bytes and time, the parts are counted, and each part's headers
are bounded by the parser.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

from edge.multipart import FILE_FIELD, MAX_BOUNDARY_LENGTH, FormLimits, form_parser
from pixelflow.errors import InvalidArgument, UnsupportedMediaType


@dataclass
class BatchFile:
    """One `file` part: its name and declared type, its bytes through `chunks()`."""

    form: BatchForm
    number: int
    filename: str
    content_type: str

    def chunks(self) -> AsyncIterator[bytes]:
        return self.form.file_chunks(self.number)


class BatchForm:
    """Parses the option fields, then hands out the `file` parts in order (`next_file`)."""

    def __init__(
        self,
        content_type: str,
        body: AsyncIterator[bytes],
        limits: FormLimits,
        *,
        max_files: int,
        fields: tuple[str, ...] = (),
    ) -> None:
        media_type, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise UnsupportedMediaType(f"expected multipart/form-data with '{FILE_FIELD}' fields")
        if len(boundary) > MAX_BOUNDARY_LENGTH:
            raise InvalidArgument(f"the multipart boundary is longer than {MAX_BOUNDARY_LENGTH} characters")
        self._body = body
        self._limits = limits
        self._max_files = max_files
        self._fields = fields
        self.fields: dict[str, str] = {}
        # (file number, bytes) in the order parsed; a chunk may end one file and begin the next.
        self._out: deque[tuple[int, bytes]] = deque()
        self._parts = 0
        self._files = 0
        self._ended_files = 0
        self._headers: dict[str, bytes] = {}
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._taken = ""
        self._value = bytearray()
        self._pending: list[BatchFile] = []
        # The number of the file last handed out.
        self._handed = 0
        self._read_before_file = 0
        self._body_ended = False
        self._error: InvalidArgument | None = None
        # Bytes of the body read so far, and of files' data parsed but not handed out yet.
        self.consumed = 0
        self._queued = 0
        self._parser = form_parser(boundary, limits, self)

    def _on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > self._limits.max_parts:
            raise InvalidArgument(f"the form has more than {self._limits.max_parts} parts", field=FILE_FIELD)
        self._headers = {}
        self._taken = ""
        self._value = bytearray()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_field.decode("latin-1").strip().lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        if name in self._fields:
            if self._files:
                raise InvalidArgument(f"{name}: form fields must come before the first '{FILE_FIELD}'", field=name)
            if name in self.fields:
                raise InvalidArgument(f"{name}: send this field at most once", field=name)
            self.fields[name] = ""
            self._taken = name
            return
        if name != FILE_FIELD:
            takes = ", ".join(f"'{taken}'" for taken in (*self._fields, FILE_FIELD))
            raise InvalidArgument(f"unknown form field {name[:64]!r}: a batch takes only {takes}", field=name)
        self._files += 1
        if self._files > self._max_files:
            raise InvalidArgument(f"a batch holds at most {self._max_files} files", field=FILE_FIELD)
        self._pending.append(
            BatchFile(
                form=self,
                number=self._files,
                filename=options.get(b"filename", b"").decode("utf-8", errors="replace"),
                content_type=self._headers.get("content-type", b"").decode("latin-1"),
            )
        )

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._taken:
            self._value += data[start:end]
        elif self._files:
            self._out.append((self._files, data[start:end]))
            self._queued += end - start

    def _on_part_end(self) -> None:
        if self._taken:
            self.fields[self._taken] = self._value.decode("utf-8", errors="replace").strip()
            self._taken = ""
        elif self._files:
            self._ended_files = self._files

    def _feed(self, chunk: bytes) -> None:
        self.consumed += len(chunk)
        while chunk and not self._files:
            allowance = self._limits.max_bytes_before_file - self._read_before_file
            if allowance <= 0:
                raise InvalidArgument("form fields before the first file are too large")
            head, chunk = chunk[:allowance], chunk[allowance:]
            self._read_before_file += len(head)
            self._write(head)
        if chunk:
            self._write(chunk)

    def _write(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidArgument(f"malformed multipart body: {exc}", field=FILE_FIELD) from exc

    async def _read(self) -> bool:
        """Parses the body's next chunk; False at its end.

        A broken form is raised on the read after the one that found it: the files that ended
        before the break in the same chunk are handed out whole first."""
        if self._error is not None:
            raise self._error
        if self._body_ended:
            return False
        try:
            chunk = await anext(self._body)
        except StopAsyncIteration:
            self._body_ended = True
            self._parser.finalize()
            if self._files > self._ended_files:
                raise InvalidArgument(
                    f"the '{FILE_FIELD}' field ends before its boundary: the upload was cut off"
                ) from None
            return False
        try:
            self._feed(chunk)
        except InvalidArgument as exc:
            self._error = exc
        return True

    def at_most(self, declared: int) -> int:
        """Bytes the next file can have at most, in a body of `declared` bytes: what is not read
        yet, and what was parsed but not handed out (0 when the size was not declared)."""
        return max(declared - self.consumed + self._queued, 0) if declared else 0

    async def start(self) -> None:
        """Reads the option fields, until the first file's headers, within the form's deadline."""
        try:
            async with asyncio.timeout(self._limits.deadline_seconds):
                while not self._files:
                    if not await self._read():
                        raise InvalidArgument(f"the multipart body has no '{FILE_FIELD}' field", field=FILE_FIELD)
        except TimeoutError:
            raise InvalidArgument(
                f"the first '{FILE_FIELD}' did not begin within {self._limits.deadline_seconds:g} s", field=FILE_FIELD
            ) from None

    async def file_chunks(self, number: int) -> AsyncIterator[bytes]:
        """File `number`'s bytes, as the client sends them (what is left of them, when some were read)."""
        while True:
            while self._out and self._out[0][0] < number:
                self._queued -= len(self._out.popleft()[1])  # an earlier file's, left unread
            while self._out and self._out[0][0] == number:
                chunk = self._out.popleft()[1]
                self._queued -= len(chunk)
                if chunk:
                    yield chunk
            if self._ended_files >= number or self._files > number:
                return
            if not await self._read():
                return

    async def next_file(self) -> BatchFile | None:
        """The next `file` part, once what was left unread of the one before is dropped; None at the end."""
        if self._handed:
            async for _ in self.file_chunks(self._handed):
                pass
        while not self._pending:
            if not await self._read():
                return None
        handed = self._pending.pop(0)
        self._handed = handed.number
        return handed
