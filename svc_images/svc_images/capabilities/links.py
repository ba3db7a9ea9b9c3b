"""Temporary links: made for the caller's image, then used by anyone holding one (no token)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc
from svc_images import links
from svc_images.dependencies import ImagesBase
from svc_images.messages import download_chunks, link_message


class LinksCapability(ImagesBase):
    @rpc(auth=AuthKind.USER)
    async def create_link(self, request: images_pb2.CreateLinkRequest, call: Call) -> images_pb2.Link:
        link = await links.create_link(
            owner_id=call.caller.user_id,
            image_id=request.id,
            variant=request.variant,
            expires_in_seconds=request.expires_in_seconds,
            policy=self.settings.link_policy,
        )
        return link_message(link)

    # No token: the signature is the credential, checked by `links.open_link` before any byte.
    @rpc(auth=AuthKind.NONE)
    async def download_link(
        self, request: images_pb2.DownloadLinkRequest, call: Call
    ) -> AsyncIterator[images_pb2.DownloadChunk]:
        link = links.Link(
            image_id=request.image_id, variant=request.variant, expires=request.expires, signature=request.signature
        )
        async with links.open_link(link=link, key=self.settings.link_key, store=self.store) as opened:
            async for message in download_chunks(*opened):
                yield message
