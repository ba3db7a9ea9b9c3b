"""The edge's channels send a read again when a service going down refuses it, and never a write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from edge.grpc_clients import open_channel
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.runtime.testing import free_port


class RefusingFirst(images_pb2_grpc.ImagesServicer):
    """Refuses each method's first call the way a server shutting down does, then answers."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    async def _refuse_once(self, method: str, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        self.calls[method] = self.calls.get(method, 0) + 1
        if self.calls[method] == 1:
            await context.abort(grpc.StatusCode.CANCELLED, "server shutting down")

    async def GetLatestImage(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> images_pb2.Image:
        await self._refuse_once("GetLatestImage", context)
        return images_pb2.Image(id="latest")

    async def Upload(self, request_iterator: Any, context: grpc.aio.ServicerContext[Any, Any]) -> images_pb2.Image:
        await self._refuse_once("Upload", context)
        return images_pb2.Image(id="uploaded")


@pytest.fixture
async def refusing() -> AsyncIterator[tuple[RefusingFirst, images_pb2_grpc.ImagesStub]]:
    servicer = RefusingFirst()  # type: ignore[abstract]  # only the methods under test
    server = grpc.aio.server()
    images_pb2_grpc.add_ImagesServicer_to_server(servicer, server)
    port = server.add_insecure_port(f"127.0.0.1:{free_port()}")
    await server.start()
    channel = open_channel(f"127.0.0.1:{port}")
    try:
        yield servicer, images_pb2_grpc.ImagesStub(channel)
    finally:
        await channel.close()
        await server.stop(None)


async def test_a_refused_read_is_sent_again(refusing: tuple[RefusingFirst, images_pb2_grpc.ImagesStub]) -> None:
    servicer, stub = refusing
    image = await stub.GetLatestImage(images_pb2.GetLatestImageRequest(), timeout=5)
    assert image.id == "latest"
    assert servicer.calls["GetLatestImage"] == 2


async def test_a_refused_write_is_not(refusing: tuple[RefusingFirst, images_pb2_grpc.ImagesStub]) -> None:
    servicer, stub = refusing

    async def chunks() -> AsyncIterator[images_pb2.UploadRequest]:
        yield images_pb2.UploadRequest()

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.Upload(chunks(), timeout=5)
    assert refused.value.code() is grpc.StatusCode.CANCELLED
    assert servicer.calls["Upload"] == 1
