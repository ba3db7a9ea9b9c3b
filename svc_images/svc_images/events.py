"""Live updates: svc_images owns an image's state, so it tells the person's browsers when it changes.

Write-only: it publishes on the Socket.IO channel the edge replicas listen on, after the change is
committed. A lost event is only logged; the browser refetches when its socket reconnects."""

from __future__ import annotations

import asyncio
import logging

import socketio

from pixelflow.events import (
    BATCH_UPDATED,
    IMAGE_DELETED,
    IMAGE_UPDATED,
    SOCKETIO_NAMESPACE,
    image_updated_payload,
    socketio_channel,
    user_room,
)
from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import Dependency, Service
from svc_images.settings import ImagesSettings

log = logging.getLogger(__name__)


class LiveEvents:
    def __init__(self, manager: socketio.AsyncRedisManager, *, timeout_seconds: float) -> None:
        self.manager = manager
        self.timeout_seconds = timeout_seconds

    async def image_updated(self, image: images_pb2.Image) -> None:
        try:
            await asyncio.wait_for(
                self.manager.emit(
                    IMAGE_UPDATED,
                    image_updated_payload(image),
                    room=user_room(image.user_id),
                    namespace=SOCKETIO_NAMESPACE,
                ),
                self.timeout_seconds,
            )
        except Exception:
            log.warning("could not emit %s for image %s", IMAGE_UPDATED, image.id, exc_info=True)

    async def image_deleted(self, *, user_id: str, image_id: str) -> None:
        try:
            await asyncio.wait_for(
                self.manager.emit(
                    IMAGE_DELETED, {"id": image_id}, room=user_room(user_id), namespace=SOCKETIO_NAMESPACE
                ),
                self.timeout_seconds,
            )
        except Exception:
            log.warning("could not emit %s for image %s", IMAGE_DELETED, image_id, exc_info=True)

    async def batch_updated(self, *, user_id: str, payload: dict[str, object]) -> None:
        try:
            await asyncio.wait_for(
                self.manager.emit(BATCH_UPDATED, payload, room=user_room(user_id), namespace=SOCKETIO_NAMESPACE),
                self.timeout_seconds,
            )
        except Exception:
            log.warning("could not emit %s for batch %s", BATCH_UPDATED, payload.get("id"), exc_info=True)

    async def close(self) -> None:
        redis = getattr(self.manager, "redis", None)
        if redis is not None:
            await redis.aclose()


class Events(Dependency[LiveEvents]):
    """Unlabelled: Socket.IO being down makes updates late, not the service unavailable."""

    async def setup(self, service: Service) -> LiveEvents:
        assert isinstance(service.settings, ImagesSettings)
        settings = service.settings
        manager = socketio.AsyncRedisManager(
            settings.redis_url, channel=socketio_channel(settings.redis_prefix), write_only=True
        )
        return LiveEvents(manager, timeout_seconds=settings.event_timeout_seconds)

    async def teardown(self, value: LiveEvents) -> None:
        await value.close()
