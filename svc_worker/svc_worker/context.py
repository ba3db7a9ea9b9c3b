"""What every job gets, opened once per worker process by SAQ's `startup` hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc
import pyvips
from saq.types import Context

from pixelflow.images.v1 import images_pb2_grpc
from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.runtime.tracing import client_interceptors
from svc_worker.settings import WorkerSettings


@dataclass
class WorkerContext:
    settings: WorkerSettings
    channel: grpc.aio.Channel
    images: images_pb2_grpc.ImageProcessingStub
    store: ObjectStore
    call_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: WorkerSettings) -> WorkerContext:
        pyvips.concurrency_set(settings.vips_concurrency)
        channel = grpc.aio.insecure_channel(settings.images_address, interceptors=client_interceptors())
        credential = settings.internal_token.get_secret_value()
        return cls(
            settings=settings,
            channel=channel,
            images=images_pb2_grpc.ImageProcessingStub(channel),
            store=ObjectStore(s3_client(settings), settings.s3_bucket),
            call_options={
                "metadata": (("authorization", f"Service {credential}"),),
                "timeout": settings.grpc_timeout_seconds,
            },
        )

    async def close(self) -> None:
        await self.channel.close()
        await self.store.close()


class JobContext(Context, total=False):
    """SAQ's context of a job, with what `startup` put there."""

    pixelflow: WorkerContext
