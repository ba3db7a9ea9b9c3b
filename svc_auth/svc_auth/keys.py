"""The Ed25519 key that signs access tokens. Only svc_auth ever holds it."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pixelflow.runtime import Dependency, Service
from pixelflow.tokens import ACCESS_TOKEN_TYPE, ALGORITHM, AUDIENCE, ISSUER
from svc_auth.settings import AuthSettings

log = logging.getLogger(__name__)

DEV_KEY_FILENAME = "jwt-ed25519.pem"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._x = _b64url(raw)
        # RFC 7638 thumbprint: the key id is derived from the key itself.
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": self._x}, separators=(",", ":"))
        self.kid = _b64url(hashlib.sha256(canonical.encode()).digest())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._private_key.public_key()

    def jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": self._x, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def access_token(
        self, *, user_id: str, email: str, session_id: str, ttl: timedelta, now: datetime | None = None
    ) -> str:
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "sid": session_id,
            "email": email,
            "typ": ACCESS_TOKEN_TYPE,
            "iat": issued,
            "exp": issued + ttl,
        }
        return jwt.encode(claims, self._private_key, algorithm=ALGORITHM, headers={"kid": self.kid})

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key must be an Ed25519 private key")
        return cls(key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    def pem(self) -> bytes:
        return self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def load_signing_key(settings: AuthSettings) -> SigningKey:
    """The configured key; in development, one generated on first start into `data_dir`."""
    if settings.private_key is not None:
        return SigningKey.from_pem(settings.private_key.get_secret_value().encode())
    if settings.private_key_file is not None:
        return SigningKey.from_pem(settings.private_key_file.read_bytes())
    path = settings.data_dir / DEV_KEY_FILENAME
    if path.exists():
        return SigningKey.from_pem(path.read_bytes())
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(key.pem())
    log.warning("generated a development signing key at %s", path)
    return key


class SigningKeys(Dependency[SigningKey]):
    async def setup(self, service: Service) -> SigningKey:
        assert isinstance(service.settings, AuthSettings)
        return load_signing_key(service.settings)
