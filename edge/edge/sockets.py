"""Socket.IO for live status: a client connects with `auth: {token}` and joins its own room.

The token is verified at connect, and the socket lives no longer than it: every
`ended_session_check_seconds`, sockets whose access token expired or whose session ended (signed
out, on any replica) are disconnected. A client reconnects with a fresh token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import socketio

from edge.grpc_clients import Backends
from edge.metrics import SOCKETIO_CONNECTIONS
from edge.settings import EdgeSettings
from pixelflow.errors import DomainError
from pixelflow.events import SOCKETIO_NAMESPACE, socketio_channel, user_room
from pixelflow.runtime.sessions import EndedSessions
from pixelflow.tokens import Caller, TokenVerifier

log = logging.getLogger(__name__)


def _log_refused_request(message: str, message_key: str) -> None:
    log.info("socket.io refused a request: %r", message)


class LiveSockets:
    """The Socket.IO server and the callers of the sockets connected to this replica."""

    def __init__(self, settings: EdgeSettings, backends: dict[str, Backends]) -> None:
        """`backends` is filled by the app's lifespan: channels are opened inside the running loop."""
        self.settings = settings
        self.backends = backends
        self.server = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=socketio.AsyncRedisManager(
                settings.redis_url, channel=socketio_channel(settings.redis_prefix)
            ),
            cors_allowed_origins=settings.cors_origins or None,
            logger=False,
            engineio_logger=False,
        )
        # engineio logs each kind of request it refuses at ERROR once, in the client's own words (a
        # session id may hold a line break): a client's bad request is worth one quoted INFO line.
        self.server.eio._log_error_once = _log_refused_request
        self.server.on("connect", self._connect, namespace=SOCKETIO_NAMESPACE)
        self.server.on("disconnect", self._disconnect, namespace=SOCKETIO_NAMESPACE)
        self._verifier: TokenVerifier | None = None
        self._ended: EndedSessions | None = None
        self.callers: dict[str, Caller] = {}

    @contextlib.asynccontextmanager
    async def running(self, ended: EndedSessions) -> AsyncIterator[None]:
        """Verifies tokens and sweeps sockets while the app runs."""
        self._ended = ended
        self._verifier = self.backends["current"].tokens
        sweeping = asyncio.create_task(self._sweep_forever())
        try:
            yield
        finally:
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            raise socketio.exceptions.ConnectionRefusedError("authentication required")
        if self._verifier is None:
            raise socketio.exceptions.ConnectionRefusedError("starting")
        try:
            caller = await self._verifier.verify(token)
        except DomainError as exc:
            raise socketio.exceptions.ConnectionRefusedError(exc.message) from exc
        self.callers[sid] = caller
        SOCKETIO_CONNECTIONS.inc()
        await self.server.enter_room(sid, user_room(caller.user_id), namespace=SOCKETIO_NAMESPACE)
        log.info("socket %s joined the room of user %s", sid, caller.user_id)

    async def _disconnect(self, sid: str, *reason: Any) -> None:
        if self.callers.pop(sid, None) is not None:
            SOCKETIO_CONNECTIONS.dec()

    async def sweep(self) -> list[str]:
        """Disconnects the sockets whose token expired or whose session ended; returns their ids."""
        assert self._ended is not None
        now = time.time()
        callers = dict(self.callers)
        ended = await self._ended.ended({caller.session_id for caller in callers.values()})
        leaving = [sid for sid, c in callers.items() if c.expires_at <= now or c.session_id in ended]
        for sid in leaving:
            if self.callers.pop(sid, None) is not None:
                SOCKETIO_CONNECTIONS.dec()
            reason = "session ended" if callers[sid].session_id in ended else "access token expired"
            log.info("socket %s of user %s disconnected: %s", sid, callers[sid].user_id, reason)
            await self.server.disconnect(sid, namespace=SOCKETIO_NAMESPACE)
        return leaving

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ended_session_check_seconds)
            try:
                await self.sweep()
            except Exception:
                # Redis down: sockets stay until it is back; the next sweep tries again.
                log.warning("checking the sessions of connected sockets failed", exc_info=True)


def create_socket_server(settings: EdgeSettings, backends: dict[str, Backends]) -> LiveSockets:
    return LiveSockets(settings, backends)
