"""Import: an image fetched from a URL, then stored exactly like an upload (svc_images.imports)."""

from __future__ import annotations

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import imports
from svc_images.capabilities.upload import UploadCapability
from svc_images.messages import image_message


class ImportCapability(UploadCapability):
    # Here rather than in svc_images: it holds the upload path; the edge makes no outbound connection.
    fetcher = imports.Fetcher()

    @rpc(auth=AuthKind.USER)
    async def import_from_url(self, request: images_pb2.ImportFromUrlRequest, call: Call) -> images_pb2.Image:
        image = await imports.import_image(
            owner_id=call.caller.user_id,
            url=request.url,
            fetcher=self.fetcher,
            store=self.store,
            queue=self.jobs,
            limits=self.limits,
            quota_policy=self.quota_policy,
        )
        return image_message(image)
