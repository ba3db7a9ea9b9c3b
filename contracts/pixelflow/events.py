"""The live-update contract: Socket.IO event names, payloads and rooms, shared by edge and worker."""

from __future__ import annotations

from typing import Any

from pixelflow.images.v1 import images_pb2
from pixelflow.protobuf import datetime_from

IMAGE_UPDATED = "image.updated"
SOCKETIO_NAMESPACE = "/"
STATUS_NAMES = {
    images_pb2.IMAGE_STATUS_QUEUED: "queued",
    images_pb2.IMAGE_STATUS_PROCESSING: "processing",
    images_pb2.IMAGE_STATUS_DONE: "done",
    images_pb2.IMAGE_STATUS_FAILED: "failed",
}


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


def socketio_channel(redis_prefix: str) -> str:
    """The Redis pub/sub channel edge replicas and workers share for Socket.IO."""
    return f"{redis_prefix}:socketio"


def image_json(image: images_pb2.Image) -> dict[str, Any]:
    """The Image as the HTTP API returns it and `image.updated` carries it."""
    uploaded = datetime_from(image.uploaded_at, present=image.HasField("uploaded_at"))
    processed = datetime_from(image.processed_at, present=image.HasField("processed_at"))
    status = STATUS_NAMES.get(image.status, "queued")
    return {
        "id": image.id,
        "original_name": image.original_name,
        "status": status,
        "content_type": image.content_type,
        "width": image.width or None,
        "height": image.height or None,
        # The optimized image was scaled down to fit WebP's 16383-pixel side (width/height say to what).
        "downscaled": image.downscaled,
        "size_bytes": image.size_bytes,
        "optimized_size_bytes": image.optimized_size_bytes or None,
        "uploaded_at": uploaded.isoformat() if uploaded else None,
        "processed_at": processed.isoformat() if processed else None,
        "error": image.error or None,
        "optimized_url": f"/api/images/{image.id}/optimized" if status == "done" else None,
    }
