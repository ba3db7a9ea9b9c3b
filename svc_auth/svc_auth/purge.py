"""Telling svc_images to purge a deleted account, from the `AccountDeletion` outbox, until it has.

svc_auth and svc_images share no database: svc_auth calls `ImageProcessing.PurgeOwner` with the
internal credential right after the deletion, and its `purge_deleted_accounts` timer calls it again
for every row still there (svc_images down, a crash between the two). PurgeOwner is idempotent, so a
call that succeeded but whose answer was lost is simply made again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import grpc

from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.runtime import Dependency, Service
from svc_auth.models import AccountDeletion
from svc_auth.settings import AuthSettings

log = logging.getLogger(__name__)


class ImagesPurger:
    def __init__(self, channel: grpc.aio.Channel, *, credential: str, timeout_seconds: float) -> None:
        self.channel = channel
        self._stub = images_pb2_grpc.ImageProcessingStub(channel)
        self._metadata = (("authorization", f"Service {credential}"),)
        self._timeout = timeout_seconds

    async def purge(self, owner_id: str, *, timeout_seconds: float | None = None) -> bool:
        """True once svc_images has removed every image of the owner (within the call's deadline)."""
        try:
            await self._stub.PurgeOwner(
                images_pb2.PurgeOwnerRequest(owner_id=owner_id),
                metadata=self._metadata,
                timeout=timeout_seconds or self._timeout,
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("could not purge the images of deleted account %s: %s", owner_id, exc.code().name)
            return False
        return True


async def purge_pending(
    *,
    purger: ImagesPurger,
    limit: int,
    repeat_for: timedelta,
    only: str | None = None,
    timeout_seconds: float | None = None,
) -> int:
    """Purges queued accounts, oldest first; stops at the first failure (svc_images is down: later).

    A row stays for `repeat_for` after the deletion even once purged: an upload that was already
    streaming when the account was deleted may store its image after the first purge, and the next
    one removes it."""
    query = AccountDeletion.all() if only is None else AccountDeletion.filter(user_id=only)
    done = 0
    for row in await query.order_by("requested_at").limit(limit):
        if not await purger.purge(str(row.user_id), timeout_seconds=timeout_seconds):
            await AccountDeletion.filter(user_id=row.user_id).update(attempts=row.attempts + 1)
            break
        if row.requested_at <= datetime.now(UTC) - repeat_for:
            await AccountDeletion.filter(user_id=row.user_id).delete()
        done += 1
    return done


class ImagesPurge(Dependency[ImagesPurger]):
    """Unlabelled: svc_images being down delays a purge, it does not make svc_auth unavailable."""

    async def setup(self, service: Service) -> ImagesPurger:
        settings = service.settings
        assert isinstance(settings, AuthSettings)
        return ImagesPurger(
            grpc.aio.insecure_channel(settings.images_address),
            credential=settings.internal_token.get_secret_value(),
            timeout_seconds=settings.purge_timeout_seconds,
        )

    async def teardown(self, value: ImagesPurger) -> None:
        await value.channel.close()
