"""Upload: a streamed original, within the upload limits and the account's quota."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.errors import DomainError, InvalidArgument
from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import batches, quota, uploads
from svc_images.capabilities.batches import announce_progress
from svc_images.dependencies import ImagesBase
from svc_images.messages import image_message
from svc_images.metrics import UPLOADS
from svc_images.options import requested
from svc_images.stored_header import ReadBudget


class UploadCapability(ImagesBase):
    @property
    def limits(self) -> uploads.UploadLimits:
        return uploads.UploadLimits(
            max_bytes=self.settings.max_upload_bytes,
            max_pixels=self.settings.max_pixels,
            probe_bytes=self.settings.probe_bytes,
            max_jpeg_scans=self.settings.max_jpeg_scans,
            max_jpeg_segments=self.settings.max_jpeg_segments,
            late_header=ReadBudget(
                block_bytes=self.settings.late_header_read_bytes,
                max_reads=self.settings.late_header_max_reads,
                timeout_seconds=self.settings.late_header_timeout_seconds,
            ),
        )

    @rpc(auth=AuthKind.USER)
    async def upload(self, requests: AsyncIterator[images_pb2.UploadRequest], call: Call) -> images_pb2.Image:
        first = await anext(aiter(requests), None)
        if first is None or not first.HasField("metadata"):
            raise InvalidArgument("the first message must carry the file's metadata")

        async def chunks() -> AsyncIterator[bytes]:
            async for message in requests:
                if not message.HasField("chunk"):
                    raise InvalidArgument("only the first message may carry metadata")
                yield message.chunk

        owner_id = call.caller.user_id
        batch_id = first.metadata.batch_id
        try:
            metadata = first.metadata
            options = requested(metadata.options if metadata.HasField("options") else None)
            if batch_id:
                await batches.find_batch(owner_id=owner_id, batch_id=batch_id)
            # The room held is what the client declared, when it did: a batch of small files in
            # flight must not each hold the largest file allowed.
            limits = self.limits
            declared = first.metadata.declared_size
            max_bytes = min(limits.max_bytes, declared) if declared else limits.max_bytes
            async with quota.reserve(owner_id=owner_id, policy=self.quota_policy, max_bytes=max_bytes) as room:
                image = await uploads.upload_image(
                    owner_id=owner_id,
                    filename=first.metadata.filename,
                    chunks=chunks(),
                    store=self.store,
                    queue=self.jobs,
                    limits=room.limits(limits),
                    options=options,
                    batch_id=batch_id or None,
                )
        except DomainError:
            UPLOADS.labels("refused").inc()
            if batch_id:
                await self._refused_in_batch(owner_id=owner_id, batch_id=batch_id)
            await uploads.drain_refused(
                (message.chunk async for message in requests),
                max_bytes=self.settings.max_upload_bytes,
                timeout_seconds=self.settings.refused_upload_drain_seconds,
            )
            raise
        except BaseException:
            UPLOADS.labels("failed").inc()
            raise
        UPLOADS.labels("stored").inc()
        if batch_id:
            await announce_progress(self.events, owner_id=owner_id, batch_id=batch_id)
        return image_message(image)

    async def _refused_in_batch(self, *, owner_id: str, batch_id: str) -> None:
        try:
            await batches.record_refused(owner_id=owner_id, batch_id=batch_id)
        except DomainError:
            return  # not the caller's batch: nothing to count
        await announce_progress(self.events, owner_id=owner_id, batch_id=batch_id)
