"""Convert again: a new image of a stored original, with other processing options."""

from __future__ import annotations

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import conversions
from svc_images.dependencies import ImagesBase
from svc_images.messages import image_message
from svc_images.options import requested


class ConversionsCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def convert(self, request: images_pb2.ConvertRequest, call: Call) -> images_pb2.Image:
        image = await conversions.convert_again(
            owner_id=call.caller.user_id,
            image_id=request.id,
            options=requested(request.options if request.HasField("options") else None),
            queue=self.jobs,
            max_pixels=self.settings.max_pixels,
            policy=self.quota_policy,
        )
        return image_message(image)
