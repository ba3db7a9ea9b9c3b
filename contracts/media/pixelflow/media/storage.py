"""S3 through miniopy-async: MinIO in compose, a moto server on loopback in development and tests."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp_retry import ExponentialRetry, RetryClient
from miniopy_async.api import Minio
from miniopy_async.commonconfig import ENABLED, Filter
from miniopy_async.datatypes import MultipartUploader
from miniopy_async.error import S3Error
from miniopy_async.helpers import read_part_data
from miniopy_async.lifecycleconfig import AbortIncompleteMultipartUpload, LifecycleConfig, Rule
from pydantic import Field, SecretStr

from pixelflow.media.telemetry import s3_trace_config
from pixelflow.runtime.settings import PixelflowSettings, is_default_secret

log = logging.getLogger(__name__)

# What S3 servers answer for a key that is not there (MinIO and moto differ from AWS).
MISSING_OBJECT_CODES = ("NoSuchKey", "NoSuchObject", "ResourceNotFound")
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
    client.set_session(
        RetryClient(aiohttp.ClientSession(timeout=timeout, trace_configs=[s3_trace_config()]), retry_options=retry)
    )
    return client


INCOMPLETE_UPLOADS_RULE = "abort-incomplete-uploads"


async def ensure_bucket(client: Minio, bucket: str, *, incomplete_uploads: tuple[str, int] | None = None) -> None:
    """Creates the bucket when missing; with `incomplete_uploads=(prefix, days)`, makes S3 abort the
    multipart uploads under `prefix` left unfinished that many days (a crash between two parts).

    The rule is set whoever created the bucket (compose and `make dev` create it before any service
    starts), and only for one prefix: a later resumable upload may keep its parts for longer.
    """
    if not await client.bucket_exists(bucket):
        await client.make_bucket(bucket)
    if incomplete_uploads is not None:
        await _ensure_incomplete_uploads_rule(client, bucket, *incomplete_uploads)


async def _ensure_incomplete_uploads_rule(client: Minio, bucket: str, prefix: str, days: int) -> None:
    rule = Rule(
        ENABLED,
        rule_filter=Filter(prefix=prefix),
        rule_id=INCOMPLETE_UPLOADS_RULE,
        abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(days),
    )
    try:
        current = await client.get_bucket_lifecycle(bucket)
        others = [r for r in (current.rules if current else []) if r.rule_id != INCOMPLETE_UPLOADS_RULE]
        ours = next((r for r in (current.rules if current else []) if r.rule_id == INCOMPLETE_UPLOADS_RULE), None)
        if ours is not None and _same_rule(ours, rule):
            return
        # Other rules of the bucket (its operator's) are kept as they are.
        await client.set_bucket_lifecycle(bucket, LifecycleConfig([*others, rule]))
    except S3Error:
        # Not every S3 implements it (MinIO expires stale uploads by itself).
        log.warning("the bucket %s has no lifecycle rule for interrupted uploads", bucket, exc_info=True)


def _same_rule(a: Rule, b: Rule) -> bool:
    def days(rule: Rule) -> int | None:
        abort = rule.abort_incomplete_multipart_upload
        return abort.days_after_initiation if abort else None

    def prefix(rule: Rule) -> str | None:
        return rule.rule_filter.prefix if rule.rule_filter else None

    return a.status == b.status and days(a) == days(b) and prefix(a) == prefix(b)


DOWNLOAD_CHUNK = 256 * 1024


STORAGE_ERRORS: tuple[type[BaseException], ...] = (S3Error, aiohttp.ClientError, OSError, asyncio.TimeoutError)


def is_missing(exc: S3Error) -> bool:
    """Whether S3 answered that the object is not there (not that S3 failed)."""
    return exc.code in MISSING_OBJECT_CODES


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
        """Streams `stream.read(n)` to `key`, one part in memory at a time; on every way out short of
        success (an error, a refusal raised by `stream`, a cancelled call) the multipart upload is
        aborted, so no part is left behind in the bucket.

        miniopy's `put_object` aborts only on `Exception`: a `CancelledError` (the client went away)
        left its parts stored and invisible until a lifecycle rule expired them.
        """
        part = await read_part_data(stream, PART_SIZE)
        if len(part) < PART_SIZE:
            await self.client.put_object(self.bucket, key, io.BytesIO(part), len(part), content_type=content_type)
            return
        uploader = self.client.multipart_uploader(self.bucket, key, content_type=content_type)
        # Creates the upload (its `__aexit__` would complete it, even on an error: not used as such).
        await uploader.__aenter__()  # type: ignore[no-untyped-call]
        try:
            number = 1
            while part:
                await uploader.upload_part(part, number)
                part = await read_part_data(stream, PART_SIZE)
                number += 1
            await uploader.complete()
        except BaseException:
            await asyncio.shield(self._abort_quietly(uploader, key))
            raise

    async def _abort_quietly(self, uploader: MultipartUploader, key: str) -> None:
        try:
            await uploader.abort()  # type: ignore[no-untyped-call]
        except STORAGE_ERRORS:
            # Already aborted by miniopy (a part that failed), or S3 is unreachable: its lifecycle
            # rule removes the parts later.
            log.info("the multipart upload of %s could not be aborted", key, exc_info=True)

    async def read_range(self, key: str, *, offset: int, length: int) -> bytes:
        """`length` bytes of `key` from `offset` (fewer at the end of the object), in one ranged GET."""
        response = await self.client.get_object(self.bucket, key, offset=offset, length=length)
        try:
            data: bytes = await response.read()
            return data
        finally:
            response.close()
            await response.release()

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
            if is_missing(exc):
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
