"""svc_images' live events: published on the channel the edge listens on, and never an error for
the call that changed the image when Redis does not take them."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest
import socketio
from redis.asyncio import Redis

from pixelflow.events import IMAGE_UPDATED, socketio_channel
from pixelflow.images.v1 import images_pb2
from svc_images.events import LiveEvents
from tests.conftest import REDIS_URL

IMAGE = images_pb2.Image(
    id="7f1c0c8e-2f4e-4c8e-9a57-6c1f7e0f9a10",
    user_id="u-1",
    original_name="kite.png",
    status=images_pb2.IMAGE_STATUS_DONE,
    content_type="image/png",
    width=640,
    height=480,
    size_bytes=2048,
    optimized_size_bytes=512,
)


def _manager(url: str, prefix: str) -> socketio.AsyncRedisManager:
    return socketio.AsyncRedisManager(url, channel=socketio_channel(prefix), write_only=True)


async def test_an_update_reaches_the_edge_channel_for_the_owner_room(redis_prefix: str) -> None:
    redis = Redis.from_url(REDIS_URL)
    events = LiveEvents(_manager(REDIS_URL, redis_prefix), timeout_seconds=5)
    try:
        async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(socketio_channel(redis_prefix))
            await events.image_updated(IMAGE)
            message = None
            async with asyncio.timeout(5):
                while message is None:
                    message = await pubsub.get_message(timeout=1)
    finally:
        await events.close()
        await redis.aclose()
    published = json.loads(message["data"])
    assert (published["event"], published["room"]) == (IMAGE_UPDATED, "user:u-1")
    [payload] = published["data"]
    assert payload["status"] == "done"
    assert payload["optimized_url"] == f"/api/images/{IMAGE.id}/optimized"
    assert (payload["width"], payload["uploaded_at"], payload["error"]) == (640, None, None)


async def test_an_update_redis_refuses_is_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    events = LiveEvents(_manager(f"redis://127.0.0.1:{port}/0", "nowhere"), timeout_seconds=2)
    with caplog.at_level(logging.WARNING):
        async with asyncio.timeout(10):
            await events.image_updated(IMAGE)
    await events.close()
    assert any("redis" in record.getMessage().lower() for record in caplog.records), caplog.text
