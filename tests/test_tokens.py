"""Access tokens that must not pass: each answers 401 at the edge and UNAUTHENTICATED at svc_auth."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import grpc
import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.errors import Unauthenticated
from pixelflow.runtime.testing import RunningService
from pixelflow.tokens import TokenVerifier
from svc_auth.keys import SigningKey
from svc_auth.service import AuthService
from tests.support.users import register


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _real_key(auth_server: RunningService) -> SigningKey:
    service = auth_server.runner.service
    assert isinstance(service, AuthService)
    return service.signing_key


@pytest.fixture
async def session(http: httpx.AsyncClient) -> dict[str, Any]:
    return await register(http)


async def _me_status(http: httpx.AsyncClient, token: str) -> tuple[int, str]:
    response = await http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()["detail"] if response.status_code != 200 else ""


async def test_a_valid_token_passes(http: httpx.AsyncClient, session: dict[str, Any]) -> None:
    assert await _me_status(http, session["access_token"]) == (200, "")


async def test_tampered_payload(http: httpx.AsyncClient, session: dict[str, Any]) -> None:
    header, _, signature = session["access_token"].split(".")
    claims = _claims_of(session["access_token"]) | {"sub": "00000000-0000-0000-0000-000000000000"}
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    assert await _me_status(http, forged) == (401, "invalid access token")


async def test_expired(http: httpx.AsyncClient, session: dict[str, Any], auth_server: RunningService) -> None:
    user = session["user"]
    expired = _real_key(auth_server).access_token(
        user_id=user["id"], email=user["email"], session_id="s-1", ttl=timedelta(minutes=-2)
    )
    assert await _me_status(http, expired) == (401, "access token expired")


async def test_signed_by_another_key(
    http: httpx.AsyncClient, session: dict[str, Any], auth_server: RunningService
) -> None:
    user = session["user"]
    impostor = SigningKey.generate()
    unknown_kid = impostor.access_token(
        user_id=user["id"], email=user["email"], session_id="s-1", ttl=timedelta(minutes=5)
    )
    assert await _me_status(http, unknown_kid) == (401, "access token is signed by an unknown key")
    # The same forgery naming the real key id fails on the signature.
    header = {"alg": "EdDSA", "typ": "JWT", "kid": _real_key(auth_server).kid}
    body = _segments(header, _claims_of(unknown_kid))
    impostor_private = serialization.load_pem_private_key(impostor.pem(), password=None)
    signature = impostor_private.sign(body.encode())  # type: ignore[call-arg,union-attr]
    assert await _me_status(http, f"{body}.{_b64(signature)}") == (401, "invalid access token")


async def test_alg_none(http: httpx.AsyncClient, session: dict[str, Any], auth_server: RunningService) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": _real_key(auth_server).kid}
    unsigned = _segments(header, _claims_of(session["access_token"])) + "."
    assert await _me_status(http, unsigned) == (401, "access token is not signed by pixelflow")


async def test_hs256_signed_with_the_public_key(
    http: httpx.AsyncClient, session: dict[str, Any], auth_server: RunningService
) -> None:
    key = _real_key(auth_server)
    public_pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = _segments({"alg": "HS256", "typ": "JWT", "kid": key.kid}, _claims_of(session["access_token"]))
    signature = hmac.new(public_pem, body.encode(), hashlib.sha256).digest()
    assert await _me_status(http, f"{body}.{_b64(signature)}") == (401, "access token is not signed by pixelflow")


async def test_refresh_token_is_not_an_access_token(http: httpx.AsyncClient, session: dict[str, Any]) -> None:
    assert await _me_status(http, session["refresh_token"]) == (401, "malformed access token")


async def test_garbage(http: httpx.AsyncClient) -> None:
    assert await _me_status(http, "not.a.jwt") == (401, "malformed access token")


async def test_grpc_answers_unauthenticated_with_the_reason(auth_server: RunningService) -> None:
    stub = auth_pb2_grpc.AuthStub(auth_server.channel)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.GetMe(auth_pb2.GetMeRequest(), metadata=(("authorization", "Bearer nope"),))
    assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert raised.value.details() == "malformed access token"
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.GetMe(auth_pb2.GetMeRequest())
    assert missing.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert missing.value.details() == "missing bearer token"


async def test_jwks_publishes_the_verifying_key(auth_server: RunningService) -> None:
    jwks = await auth_pb2_grpc.AuthStub(auth_server.channel).GetJwks(auth_pb2.GetJwksRequest())
    (jwk,) = jwks.keys
    key = _real_key(auth_server)
    assert (jwk.kty, jwk.crv, jwk.alg, jwk.use, jwk.kid) == ("OKP", "Ed25519", "EdDSA", "sig", key.kid)
    raw = key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert jwk.x == _b64(raw)


async def test_a_remembered_token_still_expires_and_a_key_rotation_forgets_it() -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    published = {old.kid: old.public_key}
    loads = 0

    async def keys() -> dict[str, Any]:
        nonlocal loads
        loads += 1
        return dict(published)

    verifier = TokenVerifier(keys, leeway_seconds=0, reload_interval=0)
    short = old.access_token(user_id="u-1", email="a@example.com", session_id="s-1", ttl=timedelta(seconds=2))
    assert (await verifier.verify(short)).user_id == "u-1"
    assert (await verifier.verify(short)).user_id == "u-1"
    assert loads == 1
    await asyncio.sleep(2.1)
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(short)

    # svc_auth rotates to a new key: tokens of the withdrawn key stop passing, remembered or not.
    remembered = old.access_token(user_id="u-1", email="a@example.com", session_id="s-1", ttl=timedelta(minutes=5))
    assert (await verifier.verify(remembered)).user_id == "u-1"
    published = {new.kid: new.public_key}
    fresh = new.access_token(user_id="u-2", email="b@example.com", session_id="s-2", ttl=timedelta(minutes=5))
    assert (await verifier.verify(fresh)).user_id == "u-2"
    with pytest.raises(Unauthenticated, match="unknown key"):
        await verifier.verify(remembered)
