"""Pure ASGI middleware: request ids, security headers and a bound on every body."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pixelflow.runtime.logs import REQUEST_ID_KEY, clean_request_id, request_id_var

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self' ws: wss:; "
        "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}
# /docs loads Swagger UI from a CDN; a strict CSP would blank it.
_DOCS_PATHS = ("/docs", "/redoc")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_KEY.encode(), b"").decode("latin-1")
        request_id = clean_request_id(incoming)
        request_id_var.set(request_id)
        is_docs = scope["path"].startswith(_DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_KEY] = request_id
                for name, value in SECURITY_HEADERS.items():
                    if not (is_docs and name == "content-security-policy"):
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


TOO_LARGE = "request body too large"


def declared_length(content_length: bytes | str) -> int:
    """A Content-Length header's value, or 0 when there is none (a chunked body) or it is no number."""
    return int(content_length) if content_length.isdigit() else 0


class BodyLimitMiddleware:
    """Bounds every request body by its route, whatever its content type: a declared length over the
    limit is refused before anything is read, and reading stops at the limit (413 either way).

    Starlette itself reads a body whole, so this is the only bound on what a route's `request.body()`,
    form or JSON parsing may hold.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, route_max_bytes: Mapping[str, int] | None = None) -> None:
        """`route_max_bytes` maps "METHOD /path" to that route's own limit; others get `max_bytes`."""
        self.app = app
        self.max_bytes = max_bytes
        self.route_max_bytes = dict(route_max_bytes or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = f"{scope['method']} {scope['path'].rstrip('/') or '/'}"
        limit = self.route_max_bytes.get(route, self.max_bytes)
        if declared_length(dict(scope.get("headers") or ()).get(b"content-length", b"")) > limit:
            response = JSONResponse({"detail": TOO_LARGE}, status_code=413)
            await response(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            if received > limit:  # a caller that ignored the 413 below reads no further
                raise HTTPException(413, TOO_LARGE)
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # FastAPI re-raises an HTTPException from body reading; the error handler answers it.
                raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, bounded_receive, send)
