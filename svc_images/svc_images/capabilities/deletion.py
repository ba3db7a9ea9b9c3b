"""Deletion: one image (its owner's call), every image of a deleted account (svc_auth's call, with
the internal credential), and the timer that removes the objects S3 could not remove at once."""

from __future__ import annotations

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc, timer
from svc_images import deletion
from svc_images.dependencies import ImagesBase


class DeletionCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def delete_image(self, request: images_pb2.DeleteImageRequest, call: Call) -> images_pb2.DeleteImageResponse:
        deleted = await deletion.delete_image(
            owner_id=call.caller.user_id, image_id=request.id, specs=self.output_specs
        )
        await self.events.image_deleted(user_id=deleted.owner_id, image_id=request.id)
        await deletion.sweep_now(
            store=self.store,
            pending_ids=deleted.pending_ids,
            timeout_seconds=self.settings.deletion_inline_timeout_seconds,
        )
        return images_pb2.DeleteImageResponse()

    @rpc(auth=AuthKind.SERVICE)
    async def purge_owner(self, request: images_pb2.PurgeOwnerRequest, call: Call) -> images_pb2.PurgeOwnerResponse:
        deleted = await deletion.purge_owner(
            owner_id=request.owner_id, specs=self.output_specs, batch_size=self.settings.deletion_batch_size
        )
        await deletion.sweep_now(
            store=self.store,
            pending_ids=deleted.pending_ids,
            timeout_seconds=self.settings.deletion_inline_timeout_seconds,
        )
        return images_pb2.PurgeOwnerResponse(images_deleted=len(deleted.image_ids))

    @timer(setting="deletion_sweep_interval_seconds")
    async def sweep_deletions(self) -> None:
        await deletion.sweep(store=self.store, limit=self.settings.deletion_batch_size)
