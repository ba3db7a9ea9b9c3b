"""Batches: made before their files stream (each file an `Upload` naming it), read back with their
progress, announced live as their images change, and exported as the archive of their results."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.images.v1 import images_pb2
from pixelflow.options import options_message
from pixelflow.protobuf import timestamp
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import batches, export
from svc_images.dependencies import ImagesBase
from svc_images.events import LiveEvents
from svc_images.messages import image_message
from svc_images.options import requested


def batch_message(batch: batches.BatchRecord) -> images_pb2.Batch:
    return images_pb2.Batch(
        id=str(batch.id),
        total=batch.total,
        created_at=timestamp(batch.created_at),
        options=options_message(batch.options) if batch.options is not None else None,
        queued=batch.queued,
        processing=batch.processing,
        done=batch.done,
        failed=batch.failed,
        images=[image_message(image) for image in batch.images],
    )


async def announce_progress(events: LiveEvents, *, owner_id: str, batch_id: str) -> None:
    """`batch.updated` with the batch's counts as they are now, counted and sent in turn."""
    async with batches.progress_lock(batch_id):
        batch = await batches.get_batch(owner_id=owner_id, batch_id=batch_id, with_images=False)
        payload: dict[str, object] = {"id": batch_id, "total": batch.total, "done": batch.done, "failed": batch.failed}
        await events.batch_updated(user_id=owner_id, payload=payload)


async def announce_image(events: LiveEvents, *, image_id: str) -> None:
    """The progress of the image's batch, when it was uploaded in one."""
    found = await batches.batch_of_image(image_id=image_id)
    if found is not None:
        owner_id, batch_id = found
        await announce_progress(events, owner_id=owner_id, batch_id=batch_id)


class BatchesCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def create_batch(self, request: images_pb2.CreateBatchRequest, call: Call) -> images_pb2.Batch:
        options = requested(request.options if request.HasField("options") else None)
        return batch_message(await batches.create_batch(owner_id=call.caller.user_id, options=options))

    @rpc(auth=AuthKind.USER)
    async def get_batch(self, request: images_pb2.GetBatchRequest, call: Call) -> images_pb2.Batch:
        return batch_message(await batches.get_batch(owner_id=call.caller.user_id, batch_id=request.id))

    @rpc(auth=AuthKind.USER)
    async def list_batches(self, request: images_pb2.ListBatchesRequest, call: Call) -> images_pb2.ListBatchesResponse:
        page, token = await batches.list_batches(
            owner_id=call.caller.user_id,
            page_size=request.page_size,
            page_token=request.page_token,
            cursor_key=self.settings.cursor_key,
        )
        return images_pb2.ListBatchesResponse(batches=[batch_message(b) for b in page], next_page_token=token)

    @rpc(auth=AuthKind.USER)
    async def export_batch(
        self, request: images_pb2.ExportBatchRequest, call: Call
    ) -> AsyncIterator[images_pb2.ExportChunk]:
        files = batches.archive_files(
            owner_id=call.caller.user_id, batch_id=request.id, page_size=self.settings.export_page_size
        )
        async for file in files:
            listed = export.ExportFile(
                image=file.image,
                kind=file.output.name,
                path=file.path,
                key=file.output.key,
                content_type=file.output.content_type,
            )
            async with export.open_file(listed, store=self.store) as opened:
                if opened is None:
                    continue
                stored, chunks = opened
                entry = images_pb2.ExportEntry(
                    image=image_message(file.image),
                    kind=file.output.name,
                    path=file.path,
                    size_bytes=stored.size,
                    content_type=file.output.content_type,
                )
                yield images_pb2.ExportChunk(entry=entry)
                async for chunk in chunks:
                    yield images_pb2.ExportChunk(chunk=chunk)
