from __future__ import annotations

import asyncio
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pyvips
import socketio

FIXTURES = Path(__file__).parents[1] / "fixtures"
ORIENTED_JPEG = FIXTURES / "ladybird-exif-orientation6.jpg"
GARDEN_PNG = FIXTURES / "garden.png"


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims `width`×`height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def animated_gif(frames: int = 3) -> bytes:
    strip = pyvips.Image.arrayjoin([pyvips.Image.black(24, 16, bands=3) + i * 70 for i in range(frames)], across=1)
    strip = strip.copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", 16)
    data: bytes = strip.gifsave_buffer()
    return data


async def upload(
    http: httpx.AsyncClient, session: dict[str, Any], data: bytes, filename: str = "photo.jpg", **kw: Any
) -> httpx.Response:
    files = {"file": (filename, data, kw.pop("content_type", "image/jpeg"))}
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    return await http.post("/api/images", files=files, headers=headers, **kw)


class Listener:
    """A Socket.IO client in the user's room, collecting `image.updated` events."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self.client.on("image.updated", self._on_updated)

    async def _on_updated(self, data: dict[str, Any]) -> None:
        async with self._arrived:
            self.events.append(data)
            self._arrived.notify_all()

    async def connect(self, url: str, token: str | None) -> None:
        await self.client.connect(
            url, auth={"token": token} if token else None, transports=["websocket"], wait_timeout=10
        )

    async def wait_for(self, image_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
        return await self.wait_for_any(image_id, (status,), timeout)

    async def wait_for_any(self, image_id: str, statuses: tuple[str, ...], timeout: float = 60) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((e for e in self.events if e["id"] == image_id and e["status"] in statuses), None)

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: found() is not None), timeout)
        event = found()
        assert event is not None
        return event

    async def close(self) -> None:
        await self.client.disconnect()
