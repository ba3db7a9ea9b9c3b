"""The live-update contract: Socket.IO event names, payloads and rooms, shared by edge and svc_images."""

from __future__ import annotations

from typing import Any

from pixelflow.images.v1 import images_pb2
from pixelflow.public import PublicImage

IMAGE_UPDATED = "image.updated"
# Carries `{id}`: the image is gone (deleted in another tab, or the account deleted).
IMAGE_DELETED = "image.deleted"
# `{id, total, done, failed}` of a batch (svc_images.batches), whenever one of its images changes.
BATCH_UPDATED = "batch.updated"
SOCKETIO_NAMESPACE = "/"


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


def socketio_channel(redis_prefix: str) -> str:
    """The Redis pub/sub channel edge replicas and svc_images share for Socket.IO."""
    return f"{redis_prefix}:socketio"


def image_updated_payload(image: images_pb2.Image) -> dict[str, Any]:
    """What `image.updated` carries: the image as the HTTP API returns it."""
    return PublicImage.from_message(image).model_dump(mode="json")
