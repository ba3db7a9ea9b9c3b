"""The edge's error boundary: every failure leaves as JSON `{"detail": ...}` with the table's status."""

from __future__ import annotations

import logging
import re
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException

from pixelflow.errors import INVALID_ARGUMENT, UNAVAILABLE, DomainError, remote_error
from pixelflow.runtime.logs import request_id_var

log = logging.getLogger(__name__)

_PATH_PARAMETER = re.compile(r"\\\{\w+\\\}")  # `{image_id}` as re.escape writes it


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


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document lists for this path (Starlette names one route's only).
    No HEAD: FastAPI's API routes answer GET only, so listing HEAD sent a client back for another
    405. A concrete path is matched before templated ones, as OpenAPI says (`/api/images/from-url`
    is not an `/api/images/{image_id}`)."""
    methods: set[str] = set()
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    if request.url.path in paths:
        methods = {method.upper() for method in paths[request.url.path]}
    for template, operations in paths.items() if not methods else ():
        if re.fullmatch(_PATH_PARAMETER.sub("[^/]+", re.escape(template)), request.url.path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI answers 400 for a JSON body that is not UTF-8: it is invalid input like any other.
        detail = [{"loc": ["body"], "msg": "the body is not UTF-8 encoded JSON", "type": "json_invalid"}]
        return JSONResponse({"detail": detail}, status_code=422)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers or None)


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
