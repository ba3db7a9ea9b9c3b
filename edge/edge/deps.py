"""FastAPI dependencies: what a route needs from the app's state and the request.

All are `async def` although none awaits: FastAPI runs a plain `def` dependency in a worker thread,
and four thread hops per request cost more CPU than the request itself.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from edge.grpc_clients import Backends
from edge.ratelimit import RateLimiter
from edge.settings import EdgeSettings
from pixelflow.errors import Unauthenticated

_PRINTABLE_TOKEN = re.compile(r"[\x21-\x7e]+")
_bearer = HTTPBearer(auto_error=False, description="the access token from login or register")


async def get_settings(request: Request) -> EdgeSettings:
    settings: EdgeSettings = request.app.state.settings
    return settings


async def get_backends(request: Request) -> Backends:
    backends: Backends = request.app.state.backends
    return backends


async def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


async def bearer_metadata(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    request: Request,
) -> tuple[tuple[str, str], ...]:
    """The caller's token as gRPC metadata; the service behind verifies it.

    gRPC metadata carries printable ASCII only: a token with anything else (a tab, a non-ASCII
    letter) is no token this system issued, and would fail the call as it is sent. Nor can it carry
    more than 16 KiB: a longer token would come back as RESOURCE_EXHAUSTED, a 429 naming gRPC.
    """
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("missing bearer token")
    settings: EdgeSettings = request.app.state.settings
    if len(credentials.credentials) > settings.max_bearer_token_chars:
        raise Unauthenticated("malformed bearer token: too long")
    if not _PRINTABLE_TOKEN.fullmatch(credentials.credentials):
        raise Unauthenticated("malformed bearer token: only printable ASCII characters are allowed")
    return (("authorization", f"Bearer {credentials.credentials}"),)


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def user_agent(request: Request) -> str:
    """The client's User-Agent for its session list: printable ASCII (gRPC carries it), at most 255."""
    return "".join(c for c in request.headers.get("user-agent", "") if " " <= c <= "~")[:255]


SettingsDep = Annotated[EdgeSettings, Depends(get_settings)]
BackendsDep = Annotated[Backends, Depends(get_backends)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
BearerDep = Annotated[tuple[tuple[str, str], ...], Depends(bearer_metadata)]
ClientAddressDep = Annotated[str, Depends(client_address)]
UserAgentDep = Annotated[str, Depends(user_agent)]
