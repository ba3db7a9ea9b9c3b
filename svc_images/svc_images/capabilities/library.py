"""Library reads: a user's images, one page of them, an output's bytes, the storage they use."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import library, quota
from svc_images.dependencies import ImagesBase
from svc_images.messages import image_message
from svc_images.outputs import OPTIMIZED


class LibraryCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def get_image(self, request: images_pb2.GetImageRequest, call: Call) -> images_pb2.Image:
        return image_message(await library.get_image(owner_id=call.caller.user_id, image_id=request.id))

    @rpc(auth=AuthKind.USER)
    async def get_latest_image(self, request: images_pb2.GetLatestImageRequest, call: Call) -> images_pb2.Image:
        return image_message(await library.latest_image(owner_id=call.caller.user_id))

    @rpc(auth=AuthKind.USER)
    async def list_images(self, request: images_pb2.ListImagesRequest, call: Call) -> images_pb2.ListImagesResponse:
        images, next_token = await library.list_images(
            owner_id=call.caller.user_id,
            page_size=request.page_size,
            page_token=request.page_token,
            cursor_key=self.settings.cursor_key,
        )
        return images_pb2.ListImagesResponse(images=[image_message(i) for i in images], next_page_token=next_token)

    @rpc(auth=AuthKind.USER)
    async def download_optimized(
        self, request: images_pb2.DownloadOptimizedRequest, call: Call
    ) -> AsyncIterator[images_pb2.DownloadChunk]:
        async with library.open_output(
            owner_id=call.caller.user_id, image_id=request.id, name=OPTIMIZED, store=self.store
        ) as (output, stored, chunks):
            header = images_pb2.DownloadHeader(
                content_type=output.content_type, content_length=stored.size, etag=stored.etag
            )
            yield images_pb2.DownloadChunk(header=header)
            async for chunk in chunks:
                yield images_pb2.DownloadChunk(chunk=chunk)

    @rpc(auth=AuthKind.USER)
    async def get_usage(self, request: images_pb2.GetUsageRequest, call: Call) -> images_pb2.Usage:
        usage = await quota.usage(owner_id=call.caller.user_id, policy=self.quota_policy)
        return images_pb2.Usage(used_bytes=usage.used_bytes, quota_bytes=usage.quota_bytes)
