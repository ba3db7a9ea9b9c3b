"""A raw HTTP/1.1 client for hostile requests: it keeps sending a body until the server answers or
stops reading, which no ordinary client does (httpx sends the whole body before reading). Used by
`make bench` (bench.hostile) and by the edge's limit tests. Loopback only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

MIB = 1024 * 1024
FILE_PART_HEAD = (
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
)


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """`total` bytes of `piece` over and over, in writes of about 64 KiB, never held whole."""
    block = piece * max(1, 64 * 1024 // len(piece))
    sent = 0
    while sent < total:
        yield block[: total - sent]
        sent += len(block)


def chunked(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """`pieces` in HTTP/1.1 chunked transfer coding: a body that declares no length."""
    for piece in pieces:
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


def form_headers(token: str, length: int, *, boundary: str = "b", probe: str = "") -> dict[str, str]:
    """An upload's headers; `probe` (x-probe) lets a test tell its requests apart at the server."""
    return {
        "authorization": f"Bearer {token}",
        "content-type": f"multipart/form-data; boundary={boundary}",
        "content-length": str(length),
        "x-probe": probe,
    }


async def raw_request(
    port: int, method: str, path: str, headers: dict[str, str], body: Iterator[bytes] | None = None
) -> tuple[int, Any]:
    """Sends `body` until the server answers (or stops reading and closes); returns the answer's
    status and JSON body (None when empty)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode("latin-1") + b"\r\n")

    async def send_body() -> None:
        try:
            for piece in body or ():
                writer.write(piece)
                await writer.drain()
        except ConnectionError:
            pass  # the server answered and closed: the rest of the body is not wanted

    sender = asyncio.create_task(send_body())
    try:
        async with asyncio.timeout(30):
            status_and_headers = await reader.readuntil(b"\r\n\r\n")
            lines = status_and_headers.decode("latin-1").split("\r\n")
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            content = await reader.readexactly(int(fields.get("content-length", "0")))
    finally:
        sender.cancel()
        writer.close()
    return int(lines[0].split()[1]), json.loads(content) if content else None
