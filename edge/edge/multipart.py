"""Incremental multipart/form-data: the `file` field's bytes flow out as they arrive.

Nothing is buffered beyond the chunk at hand and nothing is spooled to disk (unlike
`Request.form()`); the consumer (the gRPC upload stream) pulls, so back-pressure reaches the client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from pixelflow.errors import InvalidArgument, UnsupportedMediaType

FILE_FIELD = "file"
MAX_OTHER_FIELDS_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    is_file: bool = False


class FileUpload:
    """Parses a request body until the `file` part starts, then streams that part's bytes."""

    def __init__(self, content_type: str, body: AsyncIterator[bytes]) -> None:
        media_type, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise UnsupportedMediaType(f"expected multipart/form-data with a '{FILE_FIELD}' field")
        self._body = body
        self._part = _Part()
        self._out: deque[bytes] = deque()
        self._files_seen = 0
        self._file_done = False
        self._other_bytes = 0
        self._header_bytes = 0
        self.filename = ""
        self.content_type = ""
        self._parser = MultipartParser(
            boundary,
            max_header_size=MAX_HEADER_BYTES,
            callbacks={
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            raise InvalidArgument("multipart part headers are too large", field=FILE_FIELD)

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._part.header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._part.header_value += data[start:end]

    def _on_header_end(self) -> None:
        name = self._part.header_field.decode("latin-1").strip().lower()
        self._part.headers[name] = bytes(self._part.header_value)
        self._part.header_field.clear()
        self._part.header_value.clear()

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get("content-disposition", b""))
        if options.get(b"name", b"").decode("utf-8", errors="replace") != FILE_FIELD:
            return
        self._files_seen += 1
        if self._files_seen > 1:
            raise InvalidArgument(f"send exactly one '{FILE_FIELD}' field", field=FILE_FIELD)
        self._part.is_file = True
        self.filename = options.get(b"filename", b"").decode("utf-8", errors="replace")
        self.content_type = self._part.headers.get("content-type", b"").decode("latin-1")

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.is_file:
            self._out.append(data[start:end])
            return
        self._other_bytes += end - start
        if self._other_bytes > MAX_OTHER_FIELDS_BYTES:
            raise InvalidArgument("form fields besides the file are too large")

    def _on_part_end(self) -> None:
        if self._part.is_file:
            self._file_done = True

    def _write(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise InvalidArgument(f"malformed multipart body: {exc}", field=FILE_FIELD) from exc

    async def start(self) -> None:
        """Reads until the `file` part's headers are parsed; 422 when the body has no such part."""
        async for chunk in self._body:
            self._write(chunk)
            if self._files_seen:
                return
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
            self._write(chunk)
        self._parser.finalize()
        if not self._file_done:
            raise InvalidArgument(f"the '{FILE_FIELD}' field ends before its boundary: the upload was cut off")
        while self._out:
            yield self._out.popleft()
