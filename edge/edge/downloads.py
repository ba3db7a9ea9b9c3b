"""A file streamed from svc_images to the HTTP client: the download methods' header (type, length,
ETag), then their chunks as they arrive; 304 when the client already holds it. Shared by
`/optimized`, `/variants/{name}`, `/original` and temporary links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

import grpc
from fastapi import status
from fastapi.responses import Response, StreamingResponse

from pixelflow.errors import NotFound
from pixelflow.images.v1 import images_pb2

# Never revalidated: a stored file of an image is written once under its name.
IMMUTABLE_CACHE_CONTROL = "private, max-age=31536000, immutable"
# What a stored output may be, by the format of its options (OpenAPI `content` of the download routes).
OUTPUT_CONTENT: dict[str, dict[str, object]] = {"image/webp": {}, "image/avif": {}, "image/jpeg": {}, "image/png": {}}
# The uploaded bytes are whatever the person sent: never rendered as a page, never sniffed.
ORIGINAL_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}
# RFC 8187 attr-char besides letters and digits (which `quote` always keeps).
_ATTR_CHARS = "!#$&+-.^_`|~"
# Characters a quoted filename fallback may not carry as they are (RFC 6266 appendix D: no `%`).
_UNSAFE_FALLBACK = re.compile(r'[^\x20-\x7e]|["\\%/]')


def none_match_fails(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: `*` matches any current representation, and tags compare weakly (`W/` aside)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def attachment(filename: str) -> str:
    """`Content-Disposition` for a download named `filename` (RFC 6266): an ASCII `filename=` for old
    clients, and the exact name as `filename*=UTF-8''...` (RFC 8187), which clients prefer."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = _UNSAFE_FALLBACK.sub("_", ascii_name).strip() or "original"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename or fallback, safe=_ATTR_CHARS)}"


async def stream_download(
    call: Any,
    *,
    if_none_match: str | None,
    headers: Mapping[str, str],
    as_attachment: bool = False,
) -> Response:
    """Answers with the file `call` (a server-streaming download method) sends. Its errors before
    the first message leave as the error table says, like any other call's."""
    first = await call.read()
    if not isinstance(first, images_pb2.DownloadChunk) or not first.HasField("header"):
        call.cancel()
        raise NotFound("image not found")
    etag = f'"{first.header.etag}"'
    response_headers = {"ETag": etag, "X-Content-Type-Options": "nosniff", **headers}
    if as_attachment:
        response_headers["Content-Disposition"] = attachment(first.header.filename)
    if if_none_match and none_match_fails(if_none_match, etag):
        call.cancel()
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=response_headers)

    async def body() -> AsyncIterator[bytes]:
        try:
            while (message := await call.read()) is not grpc.aio.EOF:
                yield message.chunk
        finally:
            call.cancel()

    response_headers["Content-Length"] = str(first.header.content_length)
    # The type svc_images names (an output's own, or the original's as sniffed at upload), never
    # one the client declared.
    return StreamingResponse(body(), media_type=first.header.content_type, headers=response_headers)
