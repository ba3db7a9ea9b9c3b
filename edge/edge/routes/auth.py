"""`/api/auth`: sign-up and sign-in, translated to svc_auth calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import grpc
from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, ValidationInfo, field_validator

from edge.deps import BackendsDep, BearerDep, ClientAddressDep, RateLimiterDep, SettingsDep, UserAgentDep
from edge.grpc_clients import Backends
from edge.ratelimit import RateLimiter
from pixelflow.auth.v1 import auth_pb2
from pixelflow.protobuf import datetime_from

router = APIRouter(prefix="/api/auth", tags=["auth"])


_EXAMPLE_PASSWORD = "correct horse battery staple"


class RegisterBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"email": "ada@example.com", "password": _EXAMPLE_PASSWORD, "password_confirm": _EXAMPLE_PASSWORD}
            ]
        },
    )

    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=8, max_length=128)
    password_confirm: str = Field(max_length=1024, description="the password again; must equal `password`")

    @field_validator("password_confirm")
    @classmethod
    def _matches_password(cls, value: str, info: ValidationInfo) -> str:
        if "password" in info.data and value != info.data["password"]:
            raise ValueError("passwords do not match")
        return value


class LoginBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "ada@example.com", "password": _EXAMPLE_PASSWORD}]}
    )

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshBody(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class LogoutBody(BaseModel):
    refresh_token: str | None = Field(None, max_length=512)
    everywhere: StrictBool = Field(False, description="end every session of the account, not only this one")


class UserOut(BaseModel):
    id: str
    email: str


class MeOut(UserOut):
    created_at: datetime | None


class SessionOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserOut


def _session(message: auth_pb2.Session) -> SessionOut:
    return SessionOut(
        access_token=message.access_token,
        refresh_token=message.refresh_token,
        token_type=message.token_type or "bearer",
        expires_in=message.expires_in,
        user=UserOut(id=message.user.id, email=message.user.email),
    )


async def _signed_in(
    limiter: RateLimiter, address: str, request: auth_pb2.LoginRequest, backends: Backends, timeout: float
) -> auth_pb2.Session:
    """The login call, counted as a failure against the limits only when the password was wrong."""
    attempt = await limiter.login_attempt(address=address, email=request.email)
    wrong_password = False
    try:
        session: auth_pb2.Session = await backends.auth.Login(request, timeout=timeout)
        return session
    except grpc.aio.AioRpcError as exc:
        wrong_password = exc.code() is grpc.StatusCode.UNAUTHENTICATED
        raise
    finally:
        await (attempt.failed() if wrong_password else attempt.passed())


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Unauthenticated"},
    422: {"description": "Invalid input"},
}
_LIMITED: dict[int | str, dict[str, Any]] = {429: {"description": "Too many attempts; see Retry-After"}}


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, responses={409: {"description": "Email taken"}, **_LIMITED}
)
async def register(
    body: RegisterBody,
    backends: BackendsDep,
    limiter: RateLimiterDep,
    settings: SettingsDep,
    address: ClientAddressDep,
    user_agent: UserAgentDep,
) -> SessionOut:
    await limiter.hit(
        action="register",
        address=address,
        limit=settings.auth_rate_limit_per_minute,
        window_seconds=settings.auth_rate_window_seconds,
    )
    request = auth_pb2.RegisterRequest(email=body.email, password=body.password, user_agent=user_agent)
    return _session(await backends.auth.Register(request, timeout=settings.grpc_timeout_seconds))


@router.post("/login", responses={**_ERRORS, **_LIMITED})
async def login(
    body: LoginBody,
    backends: BackendsDep,
    limiter: RateLimiterDep,
    settings: SettingsDep,
    address: ClientAddressDep,
    user_agent: UserAgentDep,
) -> SessionOut:
    request = auth_pb2.LoginRequest(email=body.email, password=body.password, user_agent=user_agent)
    return _session(await _signed_in(limiter, address, request, backends, settings.grpc_timeout_seconds))


@router.post("/refresh", responses=_ERRORS)
async def refresh(body: RefreshBody, backends: BackendsDep, settings: SettingsDep) -> SessionOut:
    request = auth_pb2.RefreshRequest(refresh_token=body.refresh_token)
    return _session(await backends.auth.Refresh(request, timeout=settings.grpc_timeout_seconds))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
async def logout(
    backends: BackendsDep, settings: SettingsDep, bearer: BearerDep, body: LogoutBody | None = None
) -> Response:
    request = auth_pb2.LogoutRequest(
        refresh_token=(body.refresh_token or "") if body else "", everywhere=body.everywhere if body else False
    )
    await backends.auth.Logout(request, metadata=bearer, timeout=settings.grpc_timeout_seconds)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", responses=_ERRORS)
async def me(backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> MeOut:
    user = await backends.auth.GetMe(auth_pb2.GetMeRequest(), metadata=bearer, timeout=settings.grpc_timeout_seconds)
    return MeOut(
        id=user.id, email=user.email, created_at=datetime_from(user.created_at, present=user.HasField("created_at"))
    )
