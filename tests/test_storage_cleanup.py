"""A one-shot upload that does not finish leaves nothing in S3: no object and no incomplete multipart
upload, whether it is cancelled by its client or refused midway; and S3 is told to abort whatever a
crash leaves, on the originals' prefix, whoever created the bucket."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
from miniopy_async.commonconfig import ENABLED, Filter
from miniopy_async.lifecycleconfig import Expiration, LifecycleConfig, Rule

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import INCOMPLETE_UPLOADS_RULE, PART_SIZE, ObjectStore, s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.support.images import ORIENTED_JPEG
from tests.support.storage import incomplete_uploads
from tests.support.users import PASSWORD, unique_email

UPLOAD_LIMIT = 8 * 1024 * 1024


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - state in another process (S3), polled
            await asyncio.sleep(0.1)


class StallingStream:
    """`read(n)` serves `data`, then either raises `error` or waits forever (a client that stalls)."""

    def __init__(self, data: bytes, error: Exception | None = None) -> None:
        self._data = io.BytesIO(data)
        self._error = error

    async def read(self, size: int = -1) -> bytes:
        chunk = self._data.read(size)
        if chunk:
            return chunk
        if self._error is not None:
            raise self._error
        await asyncio.Event().wait()
        return b""


@pytest.fixture
async def store(images_settings: ImagesSettings, images_server: RunningService) -> AsyncIterator[ObjectStore]:
    store = ObjectStore(s3_client(images_settings), images_settings.s3_bucket)
    yield store
    await store.close()


async def _nothing_left(store: ObjectStore, settings: ImagesSettings, key: str) -> bool:
    return not await store.exists(key) and await incomplete_uploads(settings, key) == []


async def test_a_stream_that_fails_midway_leaves_no_parts(store: ObjectStore, images_settings: ImagesSettings) -> None:
    key = f"originals/test-cleanup/{uuid.uuid4()}"
    stream = StallingStream(bytes(PART_SIZE + 1000), error=ValueError("refused midway"))
    with pytest.raises(ValueError, match="refused midway"):
        await store.put_stream(key, stream, content_type="image/jpeg")
    assert await _nothing_left(store, images_settings, key)


async def test_a_cancelled_stream_leaves_no_parts(store: ObjectStore, images_settings: ImagesSettings) -> None:
    key = f"originals/test-cleanup/{uuid.uuid4()}"
    putting = asyncio.create_task(store.put_stream(key, StallingStream(bytes(PART_SIZE + 1000)), content_type="x/y"))
    # The first part is stored, the stream stalls in the second: what a client gone away leaves.
    await _eventually(lambda: _has_incomplete_upload(images_settings, key))
    putting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await putting
    assert await _nothing_left(store, images_settings, key)


async def _has_incomplete_upload(settings: ImagesSettings, key: str) -> bool:
    return await incomplete_uploads(settings, key) == [key]


@pytest.fixture(scope="module")
async def roomy_images(images_settings: ImagesSettings) -> AsyncIterator[RunningService]:
    settings = images_settings.model_copy(
        update={"max_upload_bytes": UPLOAD_LIMIT, "queue_name": f"{images_settings.queue_name}-cleanup"}
    )
    async with serve_for_test(ImagesService(settings)) as running:
        yield running


async def _user(auth_server: RunningService) -> auth_pb2.Session:
    request = auth_pb2.RegisterRequest(email=unique_email("cleanup"), password=PASSWORD)
    session: auth_pb2.Session = await auth_pb2_grpc.AuthStub(auth_server.channel).Register(request)
    return session


def _bearer(session: auth_pb2.Session) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {session.access_token}"),)


async def _upload_messages(data: bytes, stall: asyncio.Event | None) -> AsyncIterator[images_pb2.UploadRequest]:
    yield images_pb2.UploadRequest(metadata=images_pb2.UploadMetadata(filename="big.jpg"))
    for at in range(0, len(data), 256 * 1024):
        yield images_pb2.UploadRequest(chunk=data[at : at + 256 * 1024])
    if stall is not None:
        await stall.wait()


async def test_an_upload_cancelled_by_its_client_leaves_nothing(
    auth_server: RunningService, roomy_images: RunningService, images_settings: ImagesSettings
) -> None:
    session = await _user(auth_server)
    prefix = f"originals/{session.user.id}/"
    # 75 % of a 8 MiB photo: its first part is in S3, then the client goes away.
    photo = ORIENTED_JPEG.read_bytes() + bytes(6 * 1024 * 1024)
    stub = images_pb2_grpc.ImagesStub(roomy_images.channel)
    call = stub.Upload(
        _upload_messages(photo, stall=asyncio.Event()),
        metadata=_bearer(session),
    )
    await _eventually(lambda: _has_incomplete_upload_under(images_settings, prefix))
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await _eventually(lambda: _nothing_under(images_settings, prefix))
    listing = await stub.ListImages(images_pb2.ListImagesRequest(), metadata=_bearer(session))
    assert list(listing.images) == []


async def test_an_upload_refused_midway_leaves_nothing(
    auth_server: RunningService, roomy_images: RunningService, images_settings: ImagesSettings
) -> None:
    session = await _user(auth_server)
    prefix = f"originals/{session.user.id}/"
    photo = ORIENTED_JPEG.read_bytes() + bytes(UPLOAD_LIMIT)
    stub = images_pb2_grpc.ImagesStub(roomy_images.channel)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.Upload(_upload_messages(photo, stall=None), metadata=_bearer(session))
    assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    await _eventually(lambda: _nothing_under(images_settings, prefix))


async def _has_incomplete_upload_under(settings: ImagesSettings, prefix: str) -> bool:
    return len(await incomplete_uploads(settings, prefix)) == 1


async def _nothing_under(settings: ImagesSettings, prefix: str) -> bool:
    client = s3_client(settings)
    try:
        objects = await client.list_objects(settings.s3_bucket, prefix=prefix, recursive=True)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]
    return not objects and await incomplete_uploads(settings, prefix) == []


async def test_the_lifecycle_rule_is_set_on_a_bucket_someone_else_created(images_settings: ImagesSettings) -> None:
    bucket = f"pixelflow-elsewhere-{uuid.uuid4().hex[:12]}"
    client = s3_client(images_settings)
    try:
        await client.make_bucket(bucket)
        operators = Rule(ENABLED, rule_filter=Filter(prefix="tmp/"), rule_id="operator", expiration=Expiration(days=7))
        await client.set_bucket_lifecycle(bucket, LifecycleConfig([operators]))
        settings = images_settings.model_copy(update={"s3_bucket": bucket, "incomplete_upload_days": 2})
        for _ in range(2):  # a restart changes nothing
            async with serve_for_test(ImagesService(settings)):
                pass
            config = await client.get_bucket_lifecycle(bucket)
            assert config is not None
            rules = {rule.rule_id: rule for rule in config.rules}
            assert set(rules) == {"operator", INCOMPLETE_UPLOADS_RULE}
            ours = rules[INCOMPLETE_UPLOADS_RULE]
            assert ours.rule_filter is not None
            assert ours.rule_filter.prefix == "originals/"
            assert ours.abort_incomplete_multipart_upload is not None
            assert ours.abort_incomplete_multipart_upload.days_after_initiation == 2
            assert rules["operator"].expiration is not None
            assert rules["operator"].expiration.days == 7
    finally:
        await client.remove_bucket(bucket)
        await client.close_session()  # type: ignore[no-untyped-call]


async def test_every_client_of_an_early_refusal_hears_its_status(
    auth_server: RunningService, roomy_images: RunningService
) -> None:
    """Refused after its first MiB while the client still streams: a status sent mid-write reaches a
    gRPC client as INTERNAL "Internal error from Core"; svc_images reads the rest first."""
    session = await _user(auth_server)
    stub = images_pb2_grpc.ImagesStub(roomy_images.channel)
    garbage = b"not an image at all\n" * (4 * 1024 * 1024 // 20)

    async def refused() -> tuple[grpc.StatusCode, str]:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.Upload(_upload_messages(garbage, stall=None), metadata=_bearer(session))
        return raised.value.code(), raised.value.details() or ""

    outcomes = await asyncio.gather(*(refused() for _ in range(30)))
    expected = (grpc.StatusCode.INVALID_ARGUMENT, "not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF)")
    assert outcomes == [expected] * 30
