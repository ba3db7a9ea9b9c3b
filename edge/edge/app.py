"""The edge application: FastAPI for HTTP, in front of the gRPC services. No database here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import socketio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis
from starlette.types import ASGIApp

from edge.errors import install_error_handlers
from edge.grpc_clients import Backends
from edge.links import document_link_limits
from edge.metrics import HttpMetricsMiddleware
from edge.middleware import BodyLimitMiddleware, RequestContextMiddleware
from edge.ratelimit import RateLimiter
from edge.routes import account, auth, batches, downloads, health, images, imports, links, usage
from edge.settings import EdgeSettings
from edge.sockets import create_socket_server
from edge.webapp import WebAppMount
from pixelflow.runtime.metrics import metrics_endpoint
from pixelflow.runtime.sessions import EndedSessions
from pixelflow.runtime.tracing import tracing_on


def create_app(settings: EdgeSettings) -> ASGIApp:
    """The HTTP API with Socket.IO mounted at /socket.io."""
    opened: dict[str, Backends] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = Redis.from_url(settings.redis_url)
        ended = EndedSessions(redis, prefix=settings.redis_prefix, check_seconds=settings.ended_session_check_seconds)
        backends = Backends.open(
            auth_address=settings.auth_address, images_address=settings.images_address, session_ended=ended.is_ended
        )
        opened["current"] = backends
        app.state.settings = settings
        app.state.backends = backends
        app.state.redis = redis
        app.state.rate_limiter = RateLimiter.for_settings(redis, settings)
        try:
            with metrics_endpoint(settings) as metrics_port:
                app.state.metrics_port = metrics_port
                async with sockets.running(ended):
                    yield
        finally:
            await backends.close()
            await redis.aclose()

    app = FastAPI(
        title="pixelflow",
        version="0.1.0",
        summary="Upload photos, get them back as optimized WebP, with live status.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    if tracing_on():
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        # Its middleware reads a caller's `traceparent`; health probes would only be noise.
        FastAPIInstrumentor.instrument_app(app, excluded_urls="/healthz,/readyz")
    default_openapi = app.openapi
    # FastAPI's documented way to extend its generated document.
    app.openapi = lambda: batches.document_batch_limits(  # type: ignore[method-assign]
        document_link_limits(images.document_upload_limits(default_openapi(), settings), settings), settings
    )
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(imports.router)
    # Before images: its `/{image_id}` would take `/api/images/export`.
    app.include_router(account.router)
    app.include_router(images.router)
    app.include_router(downloads.router)
    app.include_router(links.router)
    app.include_router(usage.router)
    app.include_router(batches.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["authorization", "content-type", "x-request-id"],
        )
    if settings.web_dist.is_dir():
        app.router.routes.append(WebAppMount(str(settings.web_dist)))
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_json_body_bytes,
        route_max_bytes={
            f"POST {images.UPLOAD_PATH}": settings.max_upload_body_bytes,
            f"POST {batches.BATCHES_PATH}": settings.max_batch_body_bytes,
        },
    )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(
        HttpMetricsMiddleware, upload_routes={f"POST {images.UPLOAD_PATH}", f"POST {batches.BATCHES_PATH}"}
    )
    sockets = create_socket_server(settings, opened)
    combined: ASGIApp = socketio.ASGIApp(sockets.server, other_asgi_app=app, socketio_path="socket.io")
    return combined
