"""S3 through miniopy-async: MinIO in compose, a moto server on loopback in development and tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp_retry import ExponentialRetry, RetryClient
from miniopy_async.api import Minio
from miniopy_async.commonconfig import ENABLED, Filter
from miniopy_async.error import S3Error
from miniopy_async.lifecycleconfig import AbortIncompleteMultipartUpload, LifecycleConfig, Rule
from pydantic import Field, SecretStr

from pixelflow.settings import PixelflowSettings, is_default_secret

log = logging.getLogger(__name__)

PART_SIZE = 5 * 1024 * 1024  # the S3 minimum, so an upload of unknown length holds one part at most


DEV_S3_ACCESS_KEY = "pixelflow-dev"
DEV_S3_SECRET_KEY = "pixelflow-dev-secret"


class S3Settings(PixelflowSettings):
    """Mixed into the settings of each process that touches S3."""

    s3_endpoint: str = Field("127.0.0.1:9000", description="S3 host:port")
    s3_secure: bool = Field(False, description="HTTPS to S3")
    s3_region: str = Field("us-east-1", description="S3 region")
    s3_access_key: SecretStr = Field(SecretStr(DEV_S3_ACCESS_KEY), description="S3 access key")
    s3_secret_key: SecretStr = Field(SecretStr(DEV_S3_SECRET_KEY), description="S3 secret key")
    s3_bucket: str = Field("pixelflow", min_length=3, description="bucket of originals and optimized images")
    s3_connect_timeout_seconds: float = Field(3.0, gt=0, description="S3 connect timeout (an outage fails fast)")
    s3_read_timeout_seconds: float = Field(30.0, gt=0, description="S3 socket read timeout")
    s3_attempts: int = Field(2, ge=1, description="tries of one S3 request on connection errors and 5xx")

    def unsafe_defaults(self) -> list[str]:
        unsafe = super().unsafe_defaults()
        if is_default_secret(self.s3_access_key, DEV_S3_ACCESS_KEY):
            unsafe.append("S3_ACCESS_KEY")
        if is_default_secret(self.s3_secret_key, DEV_S3_SECRET_KEY):
            unsafe.append("S3_SECRET_KEY")
        return unsafe


def s3_client(settings: S3Settings) -> Minio:
    """Call inside the running loop (the HTTP session is created here)."""
    client = Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key.get_secret_value(),
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
    )
    # miniopy's own session waits five minutes to connect and tries five times: an outage would
    # hang every upload instead of answering 503.
    timeout = aiohttp.ClientTimeout(
        connect=settings.s3_connect_timeout_seconds, sock_read=settings.s3_read_timeout_seconds
    )
    retry = ExponentialRetry(attempts=settings.s3_attempts, factor=0.2, statuses={500, 502, 503, 504})
    client.set_session(RetryClient(aiohttp.ClientSession(timeout=timeout), retry_options=retry))
    return client


async def ensure_bucket(client: Minio, bucket: str) -> None:
    """Creates the bucket when missing; interrupted multipart uploads are cleaned by S3 after a day."""
    if not await client.bucket_exists(bucket):
        await client.make_bucket(bucket)
        rule = Rule(
            ENABLED,
            rule_filter=Filter(prefix=""),
            rule_id="abort-incomplete-uploads",
            abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(1),
        )
        try:
            await client.set_bucket_lifecycle(bucket, LifecycleConfig([rule]))
        except S3Error:
            # Not every S3 implements it (MinIO expires stale uploads by itself).
            log.warning("the bucket %s has no lifecycle rule for interrupted uploads", bucket)


DOWNLOAD_CHUNK = 256 * 1024

STORAGE_ERRORS: tuple[type[BaseException], ...] = (S3Error, aiohttp.ClientError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True)
class StoredObject:
    size: int
    etag: str
    content_type: str


class ObjectStore:
    """The bucket as pixelflow uses it: streamed writes of unknown length, streamed reads."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    async def put_stream(self, key: str, stream: Any, *, content_type: str) -> None:
        """Streams `stream.read(n)` to `key` as a multipart upload; nothing is held whole in memory."""
        # One part in flight: with parallel part uploads miniopy keeps reading parts while earlier
        # ones wait for a slot, so a fast client would pile the whole file up in memory.
        await self.client.put_object(
            self.bucket,
            key,
            stream,
            length=-1,
            part_size=PART_SIZE,
            content_type=content_type,
            num_parallel_uploads=1,
        )

    async def put_file(self, key: str, path: str, *, content_type: str) -> None:
        await self.client.fput_object(self.bucket, key, path, content_type=content_type)

    async def download_file(self, key: str, path: str) -> None:
        """One GET streamed into `path` (miniopy's `fget_object` asks for the object's metadata first)."""
        async with self.open(key, chunk_size=DOWNLOAD_CHUNK) as (_, chunks):
            file = await asyncio.to_thread(open, path, "wb")
            try:
                async for chunk in chunks:
                    await asyncio.to_thread(file.write, chunk)
            finally:
                await asyncio.to_thread(file.close)

    @asynccontextmanager
    async def open(
        self, key: str, *, chunk_size: int = 64 * 1024
    ) -> AsyncIterator[tuple[StoredObject, AsyncIterator[bytes]]]:
        response = await self.client.get_object(self.bucket, key)
        try:
            stored = StoredObject(
                size=int(response.headers.get("Content-Length", "0")),
                etag=response.headers.get("ETag", "").strip('"'),
                content_type=response.headers.get("Content-Type", "application/octet-stream"),
            )
            yield stored, response.content.iter_chunked(chunk_size)
        finally:
            response.close()
            await response.release()

    async def exists(self, key: str) -> bool:
        try:
            await self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                return False
            raise
        return True

    async def remove_quietly(self, key: str) -> None:
        """Removes `key` if it is there; a cleanup that fails is logged, never raised."""
        try:
            await self.client.remove_object(self.bucket, key)
        except STORAGE_ERRORS:
            log.warning("could not remove %s from the bucket", key, exc_info=True)

    async def close(self) -> None:
        await self.client.close_session()  # type: ignore[no-untyped-call]
