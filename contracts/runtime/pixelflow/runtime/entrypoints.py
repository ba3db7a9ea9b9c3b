"""Entrypoints: the `@rpc` marker, what a call knows (`Call`), who may call (`AuthKind`), and how a
failed call ends (`abort_for`, through the error table)."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar, overload

import grpc

from pixelflow.errors import ERROR_FIELD_KEY, ERROR_KIND_KEY, INTERNAL, UNAVAILABLE, DomainError, Unauthenticated
from pixelflow.runtime.logs import request_id_var
from pixelflow.tokens import Caller

log = logging.getLogger(__name__)


class AuthKind(enum.Enum):
    NONE = "none"
    USER = "user"  # authorization: Bearer <access token>
    SERVICE = "service"  # authorization: Service <internal credential>


@dataclass
class Call:
    """What an entrypoint knows about the call besides its request message."""

    grpc: grpc.aio.ServicerContext[Any, Any]
    request_id: str
    caller_or_none: Caller | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def caller(self) -> Caller:
        if self.caller_or_none is None:
            raise Unauthenticated("this method needs a signed-in user")
        return self.caller_or_none


@dataclass(frozen=True)
class Entrypoint:
    function: Callable[..., Any]
    auth: AuthKind

    @property
    def proto_name(self) -> str:
        return "".join(part.capitalize() for part in self.function.__name__.split("_"))


F = TypeVar("F", bound=Callable[..., Any])


@overload
def rpc(function: F) -> F: ...
@overload
def rpc(*, auth: AuthKind = AuthKind.NONE) -> Callable[[F], F]: ...
def rpc(function: F | None = None, *, auth: AuthKind = AuthKind.NONE) -> F | Callable[[F], F]:
    """Marks a method as the entrypoint of the proto method of the same name (in CamelCase)."""

    def mark(fn: F) -> F:
        fn.__pixelflow_entrypoint__ = Entrypoint(fn, auth)  # type: ignore[attr-defined]
        return fn

    return mark(function) if function is not None else mark


async def abort_for(
    context: grpc.aio.ServicerContext[Any, Any], exc: Exception, unavailable: str | None = None
) -> NoReturn:
    """Ends the call with the status the error table gives `exc`; unexpected errors are logged.

    `unavailable` names the dependency `exc` comes from when it means that dependency is down.
    """
    if type(exc).__name__ == "AbortError":  # the entrypoint aborted by itself
        raise exc
    if isinstance(exc, DomainError):
        kind, message, field_name = exc.kind, exc.message, exc.field
    elif unavailable:
        log.warning("%s unavailable: %s", unavailable, exc)
        kind, message, field_name = UNAVAILABLE, f"the {unavailable} is unavailable, try again shortly", None
    else:
        log.exception("unexpected error")
        kind, message, field_name = INTERNAL, f"internal error (request id {request_id_var.get()})", None
    trailers: list[tuple[str, str]] = [(ERROR_KIND_KEY, kind.name)]
    if field_name:
        trailers.append((ERROR_FIELD_KEY, field_name))
    await context.abort(kind.grpc_code, message, trailing_metadata=tuple(trailers))
    raise AssertionError("context.abort returned")  # for the type checker: abort always raises
