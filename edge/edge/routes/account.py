"""A person's data: deleting an image, the export, the signed-in sessions, the password, the account.

Translated to svc_images (`DeleteImage`, `ExportImages`) and svc_auth (`ListSessions`, `EndSession`,
`ChangePassword`, `DeleteAccount`). Included before `edge.routes.images`, whose `/{image_id}` would
otherwise answer `/api/images/export`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import grpc
from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict, Field

from edge.deps import BackendsDep, BearerDep, ClientAddressDep, RateLimiterDep, SettingsDep
from edge.grpc_clients import Backends
from edge.ratelimit import RateLimiter
from edge.zipstream import ZipMember, single, zip_stream
from pixelflow.auth.v1 import auth_pb2
from pixelflow.images.v1 import images_pb2
from pixelflow.protobuf import datetime_from
from pixelflow.public import PublicImage
from pixelflow.tokens import bearer_token

router = APIRouter(tags=["account"])

MANIFEST = "images.json"
_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Unauthenticated"}}
_PASSWORD_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    403: {"description": "Wrong password"},
    422: {"description": "Invalid input"},
    429: {"description": "Too many attempts; see Retry-After"},
}


class SignedInSession(BaseModel):
    id: str
    created_at: datetime | None
    last_used_at: datetime | None
    user_agent: str
    current: bool = Field(description="the session of the token making this request")


class SessionList(BaseModel):
    items: list[SignedInSession]


class PasswordChangeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=128)


class AccountDeletionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024, description="the current password, asked again")


async def _with_password(
    limiter: RateLimiter, address: str, backends: Backends, bearer: tuple[tuple[str, str], ...], call: Any
) -> None:
    """Runs a call that checks the password, counted against the sign-in limits like a login: a
    stolen access token must not become a password oracle."""
    caller = await backends.tokens.verify(bearer_token(dict(bearer).get("authorization")))
    attempt = await limiter.login_attempt(address=address, email=caller.email)
    wrong_password = False
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        wrong_password = exc.code() is grpc.StatusCode.PERMISSION_DENIED
        raise
    finally:
        await (attempt.failed() if wrong_password else attempt.passed())


@router.delete(
    "/api/images/{image_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_ERRORS, 404: {"description": "No such image (or another person's)"}},
)
async def delete_image(image_id: str, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Response:
    await backends.images.DeleteImage(
        images_pb2.DeleteImageRequest(id=image_id), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _time(message: Timestamp, present: bool) -> datetime:
    return datetime_from(message, present=present) or datetime.now(UTC)


async def _chunks(call: Any, following: list[Any]) -> AsyncIterator[bytes]:
    """One member's bytes; the message that ends them (the next entry, or EOF) goes to `following`."""
    while (read := await call.read()) is not grpc.aio.EOF and not read.HasField("entry"):
        yield read.chunk
    following.append(read)


async def _members(call: Any, first: Any) -> AsyncIterator[ZipMember]:
    """The archive's members from the export stream (an entry, then its chunks), then the manifest.

    The ZIP writer reads each member to its end before asking for the next, so the stream is read
    once, in order: the entry that ends a member's chunks is handed on to the next member."""
    manifest: list[dict[str, Any]] = []
    message = first
    while message is not grpc.aio.EOF:
        entry = message.entry
        image = entry.image
        if not manifest or manifest[-1]["id"] != image.id:
            manifest.append({**PublicImage.from_message(image).model_dump(mode="json"), "files": []})
        manifest[-1]["files"].append(
            {"path": entry.path, "kind": entry.kind, "size_bytes": entry.size_bytes, "content_type": entry.content_type}
        )
        following: list[Any] = []
        modified = (
            _time(image.uploaded_at, image.HasField("uploaded_at"))
            if entry.kind == "original"
            else _time(image.processed_at, image.HasField("processed_at"))
        )
        yield ZipMember(path=entry.path, modified_at=modified, chunks=_chunks(call, following))
        assert following, "the ZIP writer moved on before the member's end"
        message = following[0]
    body = json.dumps({"exported_at": datetime.now(UTC).isoformat(), "images": manifest}, indent=2)
    yield ZipMember(path=MANIFEST, modified_at=datetime.now(UTC), chunks=single(body.encode()))


@router.get(
    "/api/images/export",
    response_class=StreamingResponse,
    responses={**_ERRORS, 200: {"content": {"application/zip": {}}, "description": "Every original and result"}},
)
async def export(backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Response:
    """A ZIP of every original and its results with an `images.json` manifest, built while it is sent."""
    call = backends.images.ExportImages(
        images_pb2.ExportImagesRequest(), metadata=bearer, timeout=settings.export_timeout_seconds
    )
    # Before the 200: a refused token is still a 401.
    first = await call.read()

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in zip_stream(_members(call, first)):
                yield chunk
        finally:
            call.cancel()

    filename = f"pixelflow-export-{datetime.now(UTC):%Y%m%d}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return StreamingResponse(body(), media_type="application/zip", headers=headers)


@router.get("/api/auth/sessions", responses=_ERRORS)
async def list_sessions(backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> SessionList:
    reply = await backends.auth.ListSessions(
        auth_pb2.ListSessionsRequest(), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return SessionList(
        items=[
            SignedInSession(
                id=session.id,
                created_at=datetime_from(session.created_at, present=session.HasField("created_at")),
                last_used_at=datetime_from(session.last_used_at, present=session.HasField("last_used_at")),
                user_agent=session.user_agent,
                current=session.current,
            )
            for session in reply.sessions
        ]
    )


@router.delete(
    "/api/auth/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_ERRORS, 404: {"description": "No such open session of yours"}},
)
async def end_session(session_id: str, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Response:
    await backends.auth.EndSession(
        auth_pb2.EndSessionRequest(id=session_id), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/auth/password", status_code=status.HTTP_204_NO_CONTENT, responses=_PASSWORD_ERRORS)
async def change_password(
    body: PasswordChangeBody,
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    limiter: RateLimiterDep,
    address: ClientAddressDep,
) -> Response:
    """Every other session is signed out; this one stays."""
    request = auth_pb2.ChangePasswordRequest(current_password=body.current_password, new_password=body.new_password)
    call = backends.auth.ChangePassword(request, metadata=bearer, timeout=settings.grpc_timeout_seconds)
    await _with_password(limiter, address, backends, bearer, call)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/api/auth/me", status_code=status.HTTP_204_NO_CONTENT, responses=_PASSWORD_ERRORS)
async def delete_account(
    body: AccountDeletionBody,
    backends: BackendsDep,
    settings: SettingsDep,
    bearer: BearerDep,
    limiter: RateLimiterDep,
    address: ClientAddressDep,
) -> Response:
    """Every session ends at once, every image and file of the account is removed, the email is free."""
    request = auth_pb2.DeleteAccountRequest(password=body.password)
    call = backends.auth.DeleteAccount(request, metadata=bearer, timeout=settings.grpc_timeout_seconds)
    await _with_password(limiter, address, backends, bearer, call)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
