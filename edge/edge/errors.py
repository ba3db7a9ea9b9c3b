"""The edge's error boundary: every failure leaves as JSON `{"detail": ...}` with the table's status."""

from __future__ import annotations

import logging
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException

from pixelflow.errors import INVALID_ARGUMENT, UNAVAILABLE, DomainError, remote_error
from pixelflow.logs import request_id_var

log = logging.getLogger(__name__)


def field_error(field: str, message: str, location: str = "body") -> list[dict[str, Any]]:
    return [{"loc": [location, field], "msg": message, "type": "value_error"}]


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Without "input": a failed password field must never be echoed back.
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def _rpc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, grpc.aio.AioRpcError)
    error = remote_error(exc)
    if error.http_status >= 500:
        log.warning("backend call failed: %s %s", error.grpc_code.name, error.message)
    if error.kind is UNAVAILABLE:  # the service named what is down
        return JSONResponse({"detail": error.message}, status_code=503)
    if error.grpc_code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED):
        return JSONResponse({"detail": "a backend service is unavailable, try again shortly"}, status_code=503)
    if error.kind is INVALID_ARGUMENT and error.field:
        location = "query" if error.field in request.query_params else "body"
        return JSONResponse({"detail": field_error(error.field, error.message, location)}, status_code=422)
    return JSONResponse({"detail": error.message}, status_code=error.http_status)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = getattr(exc, "headers", None)
    return JSONResponse({"detail": exc.message}, status_code=exc.kind.http_status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _redis_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("Redis unavailable: %s", exc)
    return JSONResponse({"detail": "the edge's Redis is unavailable, try again shortly"}, status_code=503)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error")
    return JSONResponse({"detail": f"internal error (request id {request_id_var.get()})"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(grpc.aio.AioRpcError, _rpc_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RedisError, _redis_error)
    app.add_exception_handler(Exception, _unexpected_error)
