"""Downloads by name: any stored output of the caller's image, and its original as uploaded."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import downloads
from svc_images.dependencies import ImagesBase
from svc_images.messages import download_chunks


class DownloadsCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def download_variant(
        self, request: images_pb2.DownloadVariantRequest, call: Call
    ) -> AsyncIterator[images_pb2.DownloadChunk]:
        async with downloads.open_variant(
            owner_id=call.caller.user_id, image_id=request.id, name=request.name, store=self.store
        ) as opened:
            async for message in download_chunks(*opened):
                yield message

    @rpc(auth=AuthKind.USER)
    async def download_original(
        self, request: images_pb2.DownloadOriginalRequest, call: Call
    ) -> AsyncIterator[images_pb2.DownloadChunk]:
        async with downloads.open_original(
            owner_id=call.caller.user_id, image_id=request.id, store=self.store
        ) as opened:
            async for message in download_chunks(*opened):
                yield message
