"""Access tokens as every process sees them: EdDSA JWTs verified against svc_auth's public keys.

Only svc_auth signs (see svc_auth.keys); everyone else holds a `TokenVerifier` built from the JWK
set svc_auth publishes.
"""

from __future__ import annotations

import hmac
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.errors import Unauthenticated

ISSUER = "pixelflow-auth"
AUDIENCE = "pixelflow"
ALGORITHM = "EdDSA"
ACCESS_TOKEN_TYPE = "access"


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` value."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token")
    return token.strip()


def credential_matches(presented: str, expected: str) -> bool:
    """Constant-time comparison, so response time does not reveal a shared secret."""
    return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())


def public_keys_from_jwks(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and jwk.get("kid"):
            key = jwt.algorithms.OKPAlgorithm.from_jwk(json.dumps(jwk))
            if isinstance(key, Ed25519PublicKey):
                keys[jwk["kid"]] = key
    return keys


KeyLoader = Callable[[], Awaitable[Mapping[str, Ed25519PublicKey]]]


class TokenVerifier:
    """Verifies access tokens; reloads the key set once when a token names an unknown key id.

    A token whose signature and claims have been checked is remembered until it expires (up to
    `cache_size` tokens): a signed-in person's requests then cost a dictionary lookup instead of an
    Ed25519 verification each. Expiry is still checked on every use, and a key reload forgets them all.
    """

    def __init__(
        self,
        load_keys: KeyLoader,
        *,
        leeway_seconds: float = 5.0,
        reload_interval: float = 10.0,
        cache_size: int = 10_000,
    ) -> None:
        self._load_keys = load_keys
        self._keys: Mapping[str, Ed25519PublicKey] = {}
        self._leeway = leeway_seconds
        self._reload_interval = reload_interval
        self._loaded_at = float("-inf")
        self._verified: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> Caller:
        remembered = self._verified.get(token)
        if remembered is not None:
            caller, expires_at = remembered
            if time.time() < expires_at + self._leeway:
                return caller
            del self._verified[token]
            raise Unauthenticated("access token expired")
        caller, expires_at = await self._verify_signed(token)
        self._verified[token] = (caller, expires_at)
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return caller

    async def _verify_signed(self, token: str) -> tuple[Caller, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("malformed access token") from exc
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise Unauthenticated("access token is not signed by pixelflow")
        # Tokens naming made-up key ids must not turn into a flood of key fetches.
        if kid not in self._keys and time.monotonic() - self._loaded_at >= self._reload_interval:
            self._keys = await self._load_keys()
            self._loaded_at = time.monotonic()
            self._verified.clear()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("access token is signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("invalid access token") from exc
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise Unauthenticated("not an access token")
        return Caller(user_id=str(claims["sub"]), email=str(claims.get("email", ""))), float(claims["exp"])


def remote_key_loader(channel: grpc.aio.Channel) -> KeyLoader:
    """Fetches svc_auth's JWK set over gRPC (`pixelflow.auth.v1.Auth/GetJwks`)."""
    stub = auth_pb2_grpc.AuthStub(channel)

    async def load() -> Mapping[str, Ed25519PublicKey]:
        reply = await stub.GetJwks(auth_pb2.GetJwksRequest(), timeout=5)
        fields = ("kty", "crv", "x", "kid", "alg", "use")
        return public_keys_from_jwks({"keys": [{name: getattr(key, name) for name in fields} for key in reply.keys]})

    return load
