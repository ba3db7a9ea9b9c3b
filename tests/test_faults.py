"""Nothing is lost: a worker killed mid-conversion, or the queue wiped from Redis, and the image
still ends `done` — once. Own database and queue, so no other reconciler can rescue the image."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pyvips
from redis.asyncio import Redis

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import REDIS_URL, migrated_database, worker_env
from tests.support.services import WorkerProcess
from tests.support.users import PASSWORD, unique_email

pytestmark = pytest.mark.faults

DONE = images_pb2.IMAGE_STATUS_DONE
PROCESSING = images_pb2.IMAGE_STATUS_PROCESSING


@pytest.fixture(scope="module")
async def fault_images(images_settings: ImagesSettings) -> AsyncIterator[RunningService]:
    async with migrated_database("faults", MIGRATIONS) as url:
        settings = images_settings.model_copy(
            update={
                "database_url": url,
                "queue_name": f"{images_settings.queue_name}-faults",
                "max_upload_bytes": 20 * 1024 * 1024,
                "reconcile_interval_seconds": 0.3,
                "reconcile_after_seconds": 2.0,
                "job_timeout_seconds": 60,
                # Seconds of work on the slow photo: time for the faults to strike mid-conversion.
                "webp_effort": 6,
            }
        )
        async with serve_for_test(ImagesService(settings)) as running:
            yield running


@pytest.fixture(scope="module")
def slow_photo() -> bytes:
    """12 megapixels of smooth gradient: small as JPEG, seconds of work at WebP effort 6."""
    xyz = pyvips.Image.xyz(4000, 3000)
    image = (xyz[0] * 255 / 4000).bandjoin([xyz[1] * 255 / 3000, (xyz[0] + xyz[1]) * 255 / 7000]).cast("uchar")
    data: bytes = image.jpegsave_buffer(Q=90)
    return data


async def _start_worker(fault_images: RunningService, log: Path, **extra: str) -> WorkerProcess:
    settings = fault_images.runner.service.settings
    assert isinstance(settings, ImagesSettings)
    env = worker_env(settings, fault_images.address, settings.queue_name) | extra
    process = WorkerProcess(env, log)
    await process.start()
    return process


async def _token(auth_server: RunningService) -> str:
    session = await auth_pb2_grpc.AuthStub(auth_server.channel).Register(
        auth_pb2.RegisterRequest(email=unique_email("faults"), password=PASSWORD)
    )
    return str(session.access_token)


async def _upload(images: RunningService, token: str, data: bytes) -> images_pb2.Image:
    async def messages() -> AsyncIterator[images_pb2.UploadRequest]:
        yield images_pb2.UploadRequest(metadata=images_pb2.UploadMetadata(filename="big.jpg"))
        for start in range(0, len(data), 256 * 1024):
            yield images_pb2.UploadRequest(chunk=data[start : start + 256 * 1024])

    stub = images_pb2_grpc.ImagesStub(images.channel)
    image: images_pb2.Image = await stub.Upload(messages(), metadata=(("authorization", f"Bearer {token}"),))
    return image


async def _wait_for_status(
    images: RunningService, token: str, image_id: str, status: int, timeout: float
) -> images_pb2.Image:
    stub = images_pb2_grpc.ImagesStub(images.channel)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        image: images_pb2.Image = await stub.GetImage(
            images_pb2.GetImageRequest(id=image_id), metadata=(("authorization", f"Bearer {token}"),)
        )
        if image.status == status:
            return image
        assert asyncio.get_running_loop().time() < deadline, f"image stayed {image.status}"
        await asyncio.sleep(0.01)


async def _stays_done(images: RunningService, token: str, done: images_pb2.Image) -> None:
    await asyncio.sleep(3)  # longer than reconcile_after: a rescued image is not processed again
    again = await _wait_for_status(images, token, done.id, DONE, timeout=1)
    assert again.processed_at == done.processed_at


async def test_a_worker_killed_mid_conversion_loses_nothing(
    auth_server: RunningService, fault_images: RunningService, slow_photo: bytes, tmp_path: Path
) -> None:
    token = await _token(auth_server)
    first = await _start_worker(fault_images, tmp_path / "first.log")
    image = await _upload(fault_images, token, slow_photo)
    await _wait_for_status(fault_images, token, image.id, PROCESSING, timeout=30)
    await first.kill()
    assert first.process is not None
    assert first.process.returncode == -9
    assert (await _wait_for_status(fault_images, token, image.id, PROCESSING, timeout=1)).status == PROCESSING

    second = await _start_worker(fault_images, tmp_path / "second.log")
    try:
        done = await _wait_for_status(fault_images, token, image.id, DONE, timeout=90)
        assert (done.width, done.height) == (4000, 3000)
        assert done.optimized_size_bytes > 0
        await _stays_done(fault_images, token, done)
    finally:
        await second.stop()


async def test_a_flushed_queue_loses_nothing(
    auth_server: RunningService, fault_images: RunningService, tmp_path: Path
) -> None:
    token = await _token(auth_server)
    settings = fault_images.runner.service.settings
    assert isinstance(settings, ImagesSettings)
    photo = (Path(__file__).parent / "fixtures" / "garden.png").read_bytes()
    image = await _upload(fault_images, token, photo)  # queued, and no worker is running

    redis = Redis.from_url(REDIS_URL)
    keys = [key async for key in redis.scan_iter(f"*{settings.queue_name}*")]
    assert keys, "the job should be in Redis before the flush"
    await redis.delete(*keys)
    await redis.aclose()

    worker = await _start_worker(fault_images, tmp_path / "worker.log")
    try:
        done = await _wait_for_status(fault_images, token, image.id, DONE, timeout=60)
        await _stays_done(fault_images, token, done)
    finally:
        await worker.stop()


async def test_a_backlog_is_not_taken_for_a_loss(
    auth_server: RunningService, fault_images: RunningService, tmp_path: Path
) -> None:
    token = await _token(auth_server)
    settings = fault_images.runner.service.settings
    assert isinstance(settings, ImagesSettings)
    photo = (Path(__file__).parent / "fixtures" / "garden.png").read_bytes()
    image = await _upload(fault_images, token, photo)  # queued, and no worker is running

    # Well past reconcile_after: the image waits, but its job is still in the queue.
    await asyncio.sleep(3 * settings.reconcile_after_seconds)
    redis = Redis.from_url(REDIS_URL)
    jobs = [key async for key in redis.scan_iter(f"*{settings.queue_name}*image:{image.id}:*")]
    await redis.aclose()
    assert len(jobs) == 1, jobs

    worker = await _start_worker(fault_images, tmp_path / "worker.log")
    try:
        done = await _wait_for_status(fault_images, token, image.id, DONE, timeout=60)
        await _stays_done(fault_images, token, done)
    finally:
        await worker.stop()


async def test_sigterm_lets_the_running_conversion_finish(
    auth_server: RunningService, fault_images: RunningService, slow_photo: bytes, tmp_path: Path
) -> None:
    token = await _token(auth_server)
    worker = await _start_worker(fault_images, tmp_path / "worker.log", PIXELFLOW_WORKER_SHUTDOWN_GRACE_SECONDS="60")
    image = await _upload(fault_images, token, slow_photo)
    await _wait_for_status(fault_images, token, image.id, PROCESSING, timeout=30)
    await worker.stop()  # SIGTERM while converting
    assert worker.process is not None
    assert worker.process.returncode == 0, worker.log()
    # Done by the time the worker exited, so the worker itself finished it (not a reconciler).
    done = await _wait_for_status(fault_images, token, image.id, DONE, timeout=0.5)
    assert done.optimized_size_bytes > 0
