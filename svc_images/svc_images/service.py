"""svc_images' gRPC face: protobuf in, domain calls, protobuf out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import grpc

from pixelflow.errors import DomainError, InvalidArgument, PermissionDenied
from pixelflow.images.v1 import images_pb2
from pixelflow.protobuf import timestamp
from pixelflow.runtime import AuthKind, Call, Dependency, Service, rpc, timer
from pixelflow.runtime.database import Database
from pixelflow.sessions import EndedSessions, EndedSessionStore
from pixelflow.storage import STORAGE_ERRORS, ObjectStore, ensure_bucket, s3_client
from pixelflow.tokens import Caller, TokenVerifier, credential_matches, remote_key_loader
from svc_images import library, processing, quota, uploads
from svc_images.models import Image, Status
from svc_images.queue import Jobs
from svc_images.settings import ImagesSettings
from svc_images.stored_header import ReadBudget

TORTOISE_APP = "images"
TORTOISE_MODELS = ["svc_images.models"]

_STATUS = {
    Status.QUEUED: images_pb2.IMAGE_STATUS_QUEUED,
    Status.PROCESSING: images_pb2.IMAGE_STATUS_PROCESSING,
    Status.DONE: images_pb2.IMAGE_STATUS_DONE,
    Status.FAILED: images_pb2.IMAGE_STATUS_FAILED,
}


def image_message(image: Image) -> images_pb2.Image:
    done = image.status is Status.DONE
    return images_pb2.Image(
        id=str(image.id),
        user_id=str(image.user_id),
        original_name=image.original_name,
        status=_STATUS[image.status],
        width=(image.optimized_width if done else None) or image.width,
        height=(image.optimized_height if done else None) or image.height,
        size_bytes=image.size_bytes,
        optimized_size_bytes=image.optimized_size_bytes or 0,
        uploaded_at=timestamp(image.uploaded_at),
        processed_at=timestamp(image.processed_at),
        error=image.error or "",
        content_type=image.content_type,
        downscaled=done and _downscaled(image),
    )


def _downscaled(image: Image) -> bool:
    """Turning keeps the pixel count; only scaling to fit the output format lowers it."""
    optimized = (image.optimized_width or 0) * (image.optimized_height or 0)
    return 0 < optimized < image.width * image.height


class Storage(Dependency[ObjectStore]):
    label = "storage"
    unavailable_errors = STORAGE_ERRORS

    async def check(self, value: ObjectStore) -> None:
        await value.client.bucket_exists(value.bucket)

    async def setup(self, service: Service) -> ObjectStore:
        assert isinstance(service.settings, ImagesSettings)
        store = ObjectStore(s3_client(service.settings), service.settings.s3_bucket)
        days = service.settings.incomplete_upload_days
        await ensure_bucket(store.client, store.bucket, incomplete_uploads=(uploads.ORIGINALS_PREFIX, days))
        return store

    async def teardown(self, value: ObjectStore) -> None:
        await value.close()


class AccessTokens(Dependency[tuple[grpc.aio.Channel, TokenVerifier]]):
    """Verifies user tokens with svc_auth's public keys, fetched over gRPC when first needed."""

    label = "auth service"
    unavailable_errors = (grpc.aio.AioRpcError,)

    async def setup(self, service: Service) -> tuple[grpc.aio.Channel, TokenVerifier]:
        assert isinstance(service.settings, ImagesSettings)
        channel = grpc.aio.insecure_channel(service.settings.auth_address)
        ended: EndedSessions = service.ended_sessions  # type: ignore[attr-defined]
        return channel, TokenVerifier(remote_key_loader(channel), session_ended=ended.is_ended)

    async def teardown(self, value: tuple[grpc.aio.Channel, TokenVerifier]) -> None:
        await value[0].close()


class ImagesService(Service):
    name = "images"
    grpc_services = (
        images_pb2.DESCRIPTOR.services_by_name["Images"],
        images_pb2.DESCRIPTOR.services_by_name["ImageProcessing"],
    )

    db = Database(app=TORTOISE_APP, models=TORTOISE_MODELS)
    store = Storage()
    jobs = Jobs()
    ended_sessions = EndedSessionStore()
    tokens = AccessTokens()

    settings: ImagesSettings

    async def resolve_caller(self, access_token: str) -> Caller:
        return await self.tokens[1].verify(access_token)

    async def check_service_credential(self, credential: str) -> None:
        if not credential_matches(credential, self.settings.internal_token.get_secret_value()):
            raise PermissionDenied("invalid service credential")

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
        try:
            # The room held is what the client declared, when it did: a batch of small files in
            # flight must not each hold the largest file allowed.
            declared = first.metadata.declared_size
            max_bytes = min(self.limits.max_bytes, declared) if declared else self.limits.max_bytes
            async with quota.reserve(owner_id=owner_id, policy=self.quota_policy, max_bytes=max_bytes) as room:
                image = await uploads.upload_image(
                    owner_id=owner_id,
                    filename=first.metadata.filename,
                    chunks=chunks(),
                    store=self.store,
                    queue=self.jobs,
                    limits=room.limits(self.limits),
                )
        except DomainError:
            await uploads.drain_refused(
                (message.chunk async for message in requests),
                max_bytes=self.settings.max_upload_bytes,
                timeout_seconds=self.settings.refused_upload_drain_seconds,
            )
            raise
        return image_message(image)

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
        async with library.open_optimized(owner_id=call.caller.user_id, image_id=request.id, store=self.store) as (
            stored,
            chunks,
        ):
            header = images_pb2.DownloadHeader(content_type="image/webp", content_length=stored.size, etag=stored.etag)
            yield images_pb2.DownloadChunk(header=header)
            async for chunk in chunks:
                yield images_pb2.DownloadChunk(chunk=chunk)

    @rpc(auth=AuthKind.SERVICE)
    async def start_processing(
        self, request: images_pb2.StartProcessingRequest, call: Call
    ) -> images_pb2.ProcessingTicket:
        ticket = await processing.start_processing(image_id=request.image_id)
        return images_pb2.ProcessingTicket(
            image=image_message(ticket.image),
            original_key=ticket.image.original_key,
            optimized_key=processing.optimized_key(ticket.image),
            should_process=ticket.should_process,
        )

    @rpc(auth=AuthKind.SERVICE)
    async def complete_processing(self, request: images_pb2.CompleteProcessingRequest, call: Call) -> images_pb2.Image:
        image = await processing.complete_processing(
            image_id=request.image_id,
            width=request.width,
            height=request.height,
            optimized_size_bytes=request.optimized_size_bytes,
        )
        return image_message(image)

    @rpc(auth=AuthKind.SERVICE)
    async def fail_processing(self, request: images_pb2.FailProcessingRequest, call: Call) -> images_pb2.Image:
        return image_message(await processing.fail_processing(image_id=request.image_id, error=request.error))

    @timer(setting="reconcile_interval_seconds")
    async def reconcile(self) -> None:
        await processing.requeue_stuck(
            queue=self.jobs, older_than=timedelta(seconds=self.settings.reconcile_after_seconds)
        )

    @property
    def quota_policy(self) -> quota.QuotaPolicy:
        return quota.QuotaPolicy(
            quota_bytes=self.settings.quota_bytes, hold=timedelta(seconds=self.settings.quota_hold_seconds)
        )

    @rpc(auth=AuthKind.USER)
    async def get_usage(self, request: images_pb2.GetUsageRequest, call: Call) -> images_pb2.Usage:
        usage = await quota.usage(owner_id=call.caller.user_id, policy=self.quota_policy)
        return images_pb2.Usage(used_bytes=usage.used_bytes, quota_bytes=usage.quota_bytes)
