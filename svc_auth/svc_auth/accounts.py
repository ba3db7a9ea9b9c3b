"""Accounts and sessions: the domain of svc_auth, free of gRPC."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from tortoise.exceptions import IntegrityError

from pixelflow.errors import AlreadyExists, InvalidArgument, NotFound, Unauthenticated
from svc_auth.keys import SigningKey
from svc_auth.models import RefreshToken, User
from svc_auth.passwords import PasswordHasher, check_password_policy

INVALID_CREDENTIALS = "invalid email or password"
INVALID_REFRESH_TOKEN = "invalid refresh token"


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    created_at: datetime


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    account: Account


@dataclass(frozen=True)
class TokenPolicy:
    signing_key: SigningKey
    access_ttl: timedelta
    refresh_ttl: timedelta


def normalize_email(email: str) -> str:
    try:
        validated = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidArgument(f"not a valid email address: {exc}", field="email") from exc
    return validated.normalized.lower()


def _account(user: User) -> Account:
    return Account(id=str(user.id), email=user.email, created_at=user.created_at)


def _digest(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


async def _open_session(user: User, *, policy: TokenPolicy, family_id: uuid.UUID | None = None) -> Session:
    refresh_token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await RefreshToken.create(
        user=user,
        family_id=family_id or uuid.uuid4(),
        token_hash=_digest(refresh_token),
        expires_at=now + policy.refresh_ttl,
    )
    access_token = policy.signing_key.access_token(
        user_id=str(user.id), email=user.email, ttl=policy.access_ttl, now=now
    )
    return Session(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(policy.access_ttl.total_seconds()),
        account=_account(user),
    )


async def register(*, email: str, password: str, hasher: PasswordHasher, policy: TokenPolicy) -> Session:
    normalized = normalize_email(email)
    check_password_policy(password)
    password_hash = await hasher.hash(password)
    try:
        user = await User.create(email=normalized, password_hash=password_hash)
    except IntegrityError as exc:
        raise AlreadyExists("an account with this email already exists", field="email") from exc
    return await _open_session(user, policy=policy)


async def login(*, email: str, password: str, hasher: PasswordHasher, policy: TokenPolicy) -> Session:
    try:
        user = await User.get_or_none(email=normalize_email(email))
    except InvalidArgument:
        user = None
    # Always verify (against a decoy when the user is unknown): both failures take as long.
    if not await hasher.verify(password, user.password_hash if user else None) or user is None:
        raise Unauthenticated(INVALID_CREDENTIALS)
    return await _open_session(user, policy=policy)


async def refresh(*, refresh_token: str, policy: TokenPolicy) -> Session:
    """Rotates the token. A token presented twice was stolen or replayed: its family is revoked."""
    token = await RefreshToken.get_or_none(token_hash=_digest(refresh_token)).prefetch_related("user")
    now = datetime.now(UTC)
    if token is None or token.revoked_at is not None:
        raise Unauthenticated(INVALID_REFRESH_TOKEN)
    if token.expires_at <= now:
        raise Unauthenticated("refresh token expired")
    claimed = await RefreshToken.filter(id=token.id, used_at__isnull=True, revoked_at__isnull=True).update(used_at=now)
    if not claimed:
        await RefreshToken.filter(family_id=token.family_id, revoked_at__isnull=True).update(revoked_at=now)
        raise Unauthenticated("refresh token was already used; that sign-in has been revoked")
    return await _open_session(token.user, policy=policy, family_id=token.family_id)


async def logout(*, user_id: str, refresh_token: str | None) -> None:
    """Revokes the refresh token's family, or every session of the user when none is given."""
    now = datetime.now(UTC)
    if refresh_token:
        token = await RefreshToken.get_or_none(token_hash=_digest(refresh_token), user_id=user_id)
        if token is not None:
            await RefreshToken.filter(family_id=token.family_id, revoked_at__isnull=True).update(revoked_at=now)
        return
    await RefreshToken.filter(user_id=user_id, revoked_at__isnull=True).update(revoked_at=now)


async def get_account(*, user_id: str) -> Account:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("account not found")
    return _account(user)
