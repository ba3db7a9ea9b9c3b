"""Export: every file of the caller's images, streamed for the edge to zip as it sends."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import export
from svc_images.dependencies import ImagesBase
from svc_images.messages import image_message


class ExportCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def export_images(
        self, request: images_pb2.ExportImagesRequest, call: Call
    ) -> AsyncIterator[images_pb2.ExportChunk]:
        files = export.export_files(owner_id=call.caller.user_id, page_size=self.settings.export_page_size)
        async for file in files:
            async with export.open_file(file, store=self.store) as opened:
                if opened is None:
                    continue
                stored, chunks = opened
                entry = images_pb2.ExportEntry(
                    image=image_message(file.image),
                    kind=file.kind,
                    path=file.path,
                    size_bytes=stored.size,
                    content_type=file.content_type,
                )
                yield images_pb2.ExportChunk(entry=entry)
                async for chunk in chunks:
                    yield images_pb2.ExportChunk(chunk=chunk)
