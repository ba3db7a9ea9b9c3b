"""The edge's gRPC channels. Every call carries the HTTP request's id as `x-request-id`, and waits
for its backend to be reachable (within the call's deadline) rather than failing at once, and
reads refused by a service going down are sent again (`pixelflow.retries`): a service restarting
behind the edge delays requests instead of dropping them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from pixelflow.auth.v1 import auth_pb2_grpc
from pixelflow.images.v1 import images_pb2_grpc
from pixelflow.retries import retrying_channel_options
from pixelflow.runtime.logs import REQUEST_ID_KEY, request_id_var
from pixelflow.runtime.tracing import client_interceptors
from pixelflow.tokens import SessionCheck, TokenVerifier, remote_key_loader


class _RequestIdInterceptor(
    grpc.aio.UnaryUnaryClientInterceptor,
    grpc.aio.UnaryStreamClientInterceptor,
    grpc.aio.StreamUnaryClientInterceptor,
    grpc.aio.StreamStreamClientInterceptor,
):
    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        metadata.add(REQUEST_ID_KEY, request_id_var.get())
        wait_for_ready = True if details.wait_for_ready is None else details.wait_for_ready
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, wait_for_ready
        )

    async def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)

    async def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)

    async def intercept_stream_unary(self, continuation: Callable[..., Any], details: Any, requests: Any) -> Any:
        return await continuation(self._details(details), requests)

    async def intercept_stream_stream(self, continuation: Callable[..., Any], details: Any, requests: Any) -> Any:
        return await continuation(self._details(details), requests)


def open_channel(address: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(
        address, options=retrying_channel_options(), interceptors=[*client_interceptors(), _RequestIdInterceptor()]
    )


@dataclass
class Backends:
    """The services the edge calls, by the name `/readyz` reports them under."""

    auth_channel: grpc.aio.Channel
    images_channel: grpc.aio.Channel
    session_ended: SessionCheck | None = None

    def __post_init__(self) -> None:
        self.auth = auth_pb2_grpc.AuthStub(self.auth_channel)
        self.images = images_pb2_grpc.ImagesStub(self.images_channel)
        # What the edge checks itself (sockets, the upload before its body), with svc_auth's public keys.
        self.tokens = TokenVerifier(remote_key_loader(self.auth_channel), session_ended=self.session_ended)

    @classmethod
    def open(cls, *, auth_address: str, images_address: str, session_ended: SessionCheck | None = None) -> Backends:
        return cls(
            auth_channel=open_channel(auth_address),
            images_channel=open_channel(images_address),
            session_ended=session_ended,
        )

    def channels(self) -> dict[str, tuple[grpc.aio.Channel, str]]:
        return {
            "auth": (self.auth_channel, "pixelflow.auth.v1.Auth"),
            "images": (self.images_channel, "pixelflow.images.v1.Images"),
        }

    async def close(self) -> None:
        for channel, _ in self.channels().values():
            await channel.close()
