"""Domain errors and the one table that maps them across every boundary.

A domain function raises a `DomainError` subclass. The gRPC runtime turns it into a status code
with the error's message, and names its kind (and the offending field, if any) in trailing
metadata; the HTTP edge reads that kind back and answers with the table's HTTP status. Nothing
else in the system decides status codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import grpc

ERROR_KIND_KEY = "pixelflow-error-kind"
ERROR_FIELD_KEY = "pixelflow-error-field"


@dataclass(frozen=True)
class ErrorKind:
    name: str
    grpc_code: grpc.StatusCode
    http_status: int


INVALID_ARGUMENT = ErrorKind("invalid_argument", grpc.StatusCode.INVALID_ARGUMENT, 422)
UNSUPPORTED_MEDIA_TYPE = ErrorKind("unsupported_media_type", grpc.StatusCode.INVALID_ARGUMENT, 415)
TOO_LARGE = ErrorKind("too_large", grpc.StatusCode.RESOURCE_EXHAUSTED, 413)
# 413, not 507: the request is what is too large for the room the account has left; a 5xx would
# call the client's own limit a server fault.
QUOTA_EXCEEDED = ErrorKind("quota_exceeded", grpc.StatusCode.RESOURCE_EXHAUSTED, 413)
RATE_LIMITED = ErrorKind("rate_limited", grpc.StatusCode.RESOURCE_EXHAUSTED, 429)
UNAUTHENTICATED = ErrorKind("unauthenticated", grpc.StatusCode.UNAUTHENTICATED, 401)
PERMISSION_DENIED = ErrorKind("permission_denied", grpc.StatusCode.PERMISSION_DENIED, 403)
NOT_FOUND = ErrorKind("not_found", grpc.StatusCode.NOT_FOUND, 404)
ALREADY_EXISTS = ErrorKind("already_exists", grpc.StatusCode.ALREADY_EXISTS, 409)
NOT_READY = ErrorKind("not_ready", grpc.StatusCode.FAILED_PRECONDITION, 409)
# A credential that was good and has run out (a temporary link): 410, so a client knows to ask anew.
EXPIRED = ErrorKind("expired", grpc.StatusCode.PERMISSION_DENIED, 410)
UNAVAILABLE = ErrorKind("unavailable", grpc.StatusCode.UNAVAILABLE, 503)
INTERNAL = ErrorKind("internal", grpc.StatusCode.INTERNAL, 500)

ERROR_KINDS: dict[str, ErrorKind] = {
    kind.name: kind
    for kind in (
        INVALID_ARGUMENT,
        UNSUPPORTED_MEDIA_TYPE,
        TOO_LARGE,
        QUOTA_EXCEEDED,
        RATE_LIMITED,
        UNAUTHENTICATED,
        PERMISSION_DENIED,
        NOT_FOUND,
        ALREADY_EXISTS,
        NOT_READY,
        EXPIRED,
        UNAVAILABLE,
        INTERNAL,
    )
}

# For a status that carries no kind (raised by grpc itself, or by a peer outside pixelflow).
HTTP_STATUS_BY_GRPC_CODE: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.OUT_OF_RANGE: 422,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    # The service stopped the call (it is restarting): the client may simply try again.
    grpc.StatusCode.CANCELLED: 503,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


class DomainError(Exception):
    """An expected failure with a message fit to show the caller."""

    kind: ClassVar[ErrorKind] = INTERNAL

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidArgument(DomainError):
    kind = INVALID_ARGUMENT


class UnsupportedMediaType(DomainError):
    kind = UNSUPPORTED_MEDIA_TYPE


class TooLarge(DomainError):
    kind = TOO_LARGE


class QuotaExceeded(TooLarge):
    """The account's storage quota has no room for this upload."""

    kind = QUOTA_EXCEEDED


class RateLimited(DomainError):
    kind = RATE_LIMITED


class Unauthenticated(DomainError):
    kind = UNAUTHENTICATED


class PermissionDenied(DomainError):
    kind = PERMISSION_DENIED


class NotFound(DomainError):
    kind = NOT_FOUND


class AlreadyExists(DomainError):
    kind = ALREADY_EXISTS


class NotReady(DomainError):
    kind = NOT_READY


class Expired(DomainError):
    kind = EXPIRED


class Unavailable(DomainError):
    kind = UNAVAILABLE


@dataclass(frozen=True)
class RemoteError:
    """What a caller of a pixelflow gRPC method learns from a failed call."""

    kind: ErrorKind | None
    grpc_code: grpc.StatusCode
    message: str
    field: str | None

    @property
    def http_status(self) -> int:
        if self.kind is not None:
            return self.kind.http_status
        return HTTP_STATUS_BY_GRPC_CODE.get(self.grpc_code, 502)


def remote_error(exc: grpc.aio.AioRpcError) -> RemoteError:
    trailers = {key: value for key, value in (exc.trailing_metadata() or ()) if isinstance(value, str)}
    kind = ERROR_KINDS.get(trailers.get(ERROR_KIND_KEY, ""))
    message = exc.details() or exc.code().name.lower().replace("_", " ")
    return RemoteError(kind=kind, grpc_code=exc.code(), message=message, field=trailers.get(ERROR_FIELD_KEY))
