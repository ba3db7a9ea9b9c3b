"""Socket.IO for live status: a client connects with `auth: {token}` and joins its own room."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from edge.grpc_clients import Backends
from edge.settings import EdgeSettings
from pixelflow.errors import Unauthenticated
from pixelflow.events import SOCKETIO_NAMESPACE, socketio_channel, user_room

log = logging.getLogger(__name__)


def create_socket_server(settings: EdgeSettings, backends: dict[str, Backends]) -> socketio.AsyncServer:
    """`backends` is filled by the app's lifespan: channels are opened inside the running loop."""
    server = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=socketio.AsyncRedisManager(settings.redis_url, channel=socketio_channel(settings.redis_prefix)),
        cors_allowed_origins=settings.cors_origins or None,
        logger=False,
        engineio_logger=False,
    )

    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise socketio.exceptions.ConnectionRefusedError("authentication required")
        try:
            caller = await backends["current"].tokens.verify(token)
        except Unauthenticated as exc:
            raise socketio.exceptions.ConnectionRefusedError(exc.message) from exc
        await server.enter_room(sid, user_room(caller.user_id), namespace=SOCKETIO_NAMESPACE)
        log.info("socket %s joined the room of user %s", sid, caller.user_id)

    server.on("connect", connect, namespace=SOCKETIO_NAMESPACE)
    return server
