"""Password hashing: argon2id through libpass (the maintained passlib fork), off the event loop."""

from __future__ import annotations

import asyncio

from passlib.context import CryptContext

from pixelflow.errors import InvalidArgument
from pixelflow.runtime import Dependency, Service
from svc_auth.settings import AuthSettings

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidArgument(f"password must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgument(f"password must be at most {MAX_PASSWORD_LENGTH} characters", field="password")


class PasswordHasher:
    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._context = CryptContext(
            schemes=["argon2"],
            argon2__type="ID",
            argon2__memory_cost=memory_kib,
            argon2__rounds=time_cost,
            argon2__parallelism=parallelism,
        )
        # Verified against when the email is unknown, so both failures cost the same time.
        self._decoy_hash = self._context.hash("decoy password never used")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._context.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        if password_hash is None:
            await asyncio.to_thread(self._context.verify, password, self._decoy_hash)
            return False
        return await asyncio.to_thread(self._context.verify, password, password_hash)


class Passwords(Dependency[PasswordHasher]):
    async def setup(self, service: Service) -> PasswordHasher:
        settings = service.settings
        assert isinstance(settings, AuthSettings)
        return PasswordHasher(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
        )
