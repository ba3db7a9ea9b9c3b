"""Import from a URL: the fetched bytes go through the upload path unchanged (type sniffing, size,
pixel and header checks, quota, row, queue); only the source differs.

Every failure that is the remote's (refused address, unreachable, 404, too big, not an image) is the
caller's invalid argument (422), never ours: nothing is stored for it. The account's own quota
stays what it is for an upload (413).
"""

from __future__ import annotations

import ssl

from pixelflow.errors import InvalidArgument, QuotaExceeded, TooLarge, UnsupportedMediaType
from pixelflow.media.storage import ObjectStore
from pixelflow.runtime import Dependency, Service
from svc_images import quota, uploads
from svc_images.fetch.client import FetchPolicy, FetchRefused, UrlFetcher
from svc_images.fetch.resolvers import Resolver, StaticResolver, SystemResolver
from svc_images.queue import JobQueue
from svc_images.records import ImageRecord
from svc_images.settings import ImagesSettings


def fetcher_for(
    settings: ImagesSettings, *, resolver: Resolver | None = None, ssl_context: ssl.SSLContext | None = None
) -> UrlFetcher:
    policy = FetchPolicy(
        allowed_networks=tuple(settings.fetch_allowed_networks),
        loopback_only=not settings.fetch_real_dns,
        connect_timeout_seconds=settings.fetch_connect_timeout_seconds,
        read_timeout_seconds=settings.fetch_read_timeout_seconds,
        total_timeout_seconds=settings.fetch_total_timeout_seconds,
        max_redirects=settings.fetch_max_redirects,
        max_url_length=settings.fetch_max_url_length,
    )
    if resolver is None:
        if settings.fetch_real_dns:
            resolver = SystemResolver(settings.fetch_connect_timeout_seconds)
        else:
            resolver = StaticResolver(settings.fetch_static_hosts)
    return UrlFetcher(policy=policy, resolver=resolver, ssl_context=ssl_context)


class Fetcher(Dependency[UrlFetcher]):
    """The URL fetcher; `ImagesService(settings, fetcher=...)` replaces it (a test's resolver)."""

    async def setup(self, service: Service) -> UrlFetcher:
        assert isinstance(service.settings, ImagesSettings)
        return fetcher_for(service.settings)


async def import_image(
    *,
    owner_id: str,
    url: str,
    fetcher: UrlFetcher,
    store: ObjectStore,
    queue: JobQueue,
    limits: uploads.UploadLimits,
    quota_policy: quota.QuotaPolicy,
) -> ImageRecord:
    async with fetcher.download(url) as download:
        declared = download.declared_size
        if declared is not None and declared > limits.max_bytes:
            raise FetchRefused(
                f"cannot import {download.url}: it is {declared:,} bytes, over the limit of {limits.max_bytes:,}"
            )
        # Like an upload: the room held is what the server declared, when it did.
        max_bytes = min(limits.max_bytes, declared) if declared else limits.max_bytes
        try:
            async with quota.reserve(owner_id=owner_id, policy=quota_policy, max_bytes=max_bytes) as room:
                return await uploads.upload_image(
                    owner_id=owner_id,
                    filename=download.filename,
                    chunks=download.chunks,
                    store=store,
                    queue=queue,
                    limits=room.limits(limits),
                )
        except (QuotaExceeded, FetchRefused):
            raise
        except (TooLarge, UnsupportedMediaType, InvalidArgument) as exc:
            # The upload path's refusals of the bytes (too big, not an image, over the pixel limit).
            raise FetchRefused(f"cannot import {download.url}: {exc.message}") from exc
