"""Access tokens as every process sees them: EdDSA JWTs verified against svc_auth's public keys.

Only svc_auth signs (see svc_auth.keys); everyone else holds a `TokenVerifier` built from the JWK
set svc_auth publishes.
"""

from __future__ import annotations

import asyncio
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
from pixelflow.errors import Unauthenticated, Unavailable

ISSUER = "pixelflow-auth"
AUDIENCE = "pixelflow"
ALGORITHM = "EdDSA"
ACCESS_TOKEN_TYPE = "access"
# The internal service credential's development default (`Service <token>` between services): one
# place for every side that presents or expects it; production refuses it.
DEV_INTERNAL_TOKEN = "pixelflow-dev-internal-token"


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str
    # The sign-in this token belongs to (`sid`): ending it refuses the token before it expires.
    session_id: str = ""
    # When the token expires (Unix time).
    expires_at: float = float("inf")


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
SessionCheck = Callable[[str], Awaitable[bool]]


class TokenVerifier:
    """Verifies access tokens; reloads the key set when a token names an unknown key id.

    A token whose signature and claims have been checked is remembered until it expires (up to
    `cache_size` tokens): a signed-in person's requests then cost a dictionary lookup instead of an
    Ed25519 verification each. Expiry and the session (`session_ended`, itself cached briefly) are
    still checked on every use, and a key reload forgets them all.

    Key reloads are single-flight: however many tokens with unknown key ids arrive at once, one
    load runs and the others wait for it; after a load, none starts for `reload_interval` seconds,
    and after a failed one for `failure_backoff` seconds, doubling up to `max_failure_backoff`.
    """

    def __init__(
        self,
        load_keys: KeyLoader,
        *,
        session_ended: SessionCheck | None = None,
        leeway_seconds: float = 5.0,
        reload_interval: float = 10.0,
        failure_backoff: float = 1.0,
        max_failure_backoff: float = 30.0,
        cache_size: int = 10_000,
    ) -> None:
        self._load_keys = load_keys
        self._session_ended = session_ended
        self._keys: Mapping[str, Ed25519PublicKey] = {}
        self._leeway = leeway_seconds
        self._reload_interval = reload_interval
        self._failure_backoff = failure_backoff
        self._max_failure_backoff = max_failure_backoff
        self._failures = 0
        self._next_reload_at = float("-inf")
        self._reloading: asyncio.Future[None] | None = None
        self._verified: OrderedDict[str, Caller] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> Caller:
        caller = self._verified.get(token)
        if caller is not None:
            if time.time() >= caller.expires_at + self._leeway:
                del self._verified[token]
                raise Unauthenticated("access token expired")
        else:
            caller = await self._verify_signed(token)
            self._verified[token] = caller
            if len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        if self._session_ended is not None and await self._session_ended(caller.session_id):
            self._verified.pop(token, None)
            raise Unauthenticated("this session has ended; sign in again")
        return caller

    async def _key_for(self, kid: str) -> Ed25519PublicKey | None:
        # Tokens naming made-up key ids must not turn into a flood of key fetches.
        if kid not in self._keys:
            if self._reloading is None and time.monotonic() >= self._next_reload_at:
                self._reloading = asyncio.ensure_future(self._reload())
                # Its failure is each waiter's to see; this keeps an unawaited one from being logged.
                self._reloading.add_done_callback(lambda done: done.cancelled() or done.exception())
            if self._reloading is not None:
                await asyncio.shield(self._reloading)
            elif self._failures and not self._keys:
                raise Unavailable("the signing keys could not be loaded; try again shortly")
        return self._keys.get(kid)

    async def _reload(self) -> None:
        try:
            keys = await self._load_keys()
        except Exception as exc:
            self._failures += 1
            backoff = min(self._failure_backoff * 2 ** (self._failures - 1), self._max_failure_backoff)
            self._next_reload_at = time.monotonic() + backoff
            raise Unavailable("the signing keys could not be loaded; try again shortly") from exc
        else:
            self._keys = keys
            self._failures = 0
            self._next_reload_at = time.monotonic() + self._reload_interval
            self._verified.clear()
        finally:
            self._reloading = None

    async def _verify_signed(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("malformed access token") from exc
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise Unauthenticated("access token is not signed by pixelflow")
        key = await self._key_for(kid)
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
                options={"require": ["exp", "iat", "sub", "iss", "aud", "sid"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token expired") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"access token has no {exc.claim!r} claim; sign in again") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("invalid access token") from exc
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise Unauthenticated("not an access token")
        return Caller(
            user_id=str(claims["sub"]),
            email=str(claims.get("email", "")),
            session_id=str(claims["sid"]),
            expires_at=float(claims["exp"]),
        )


def remote_key_loader(channel: grpc.aio.Channel) -> KeyLoader:
    """Fetches svc_auth's JWK set over gRPC (`pixelflow.auth.v1.Auth/GetJwks`)."""
    stub = auth_pb2_grpc.AuthStub(channel)

    async def load() -> Mapping[str, Ed25519PublicKey]:
        reply = await stub.GetJwks(auth_pb2.GetJwksRequest(), timeout=5)
        fields = ("kty", "crv", "x", "kid", "alg", "use")
        return public_keys_from_jwks({"keys": [{name: getattr(key, name) for name in fields} for key in reply.keys]})

    return load
