"""Accounts and sessions: the domain of svc_auth, free of gRPC."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from pixelflow.emails import normalize_email
from pixelflow.errors import AlreadyExists, InvalidArgument, NotFound, Unauthenticated
from pixelflow.runtime.sessions import EndedSessions
from svc_auth.keys import SigningKey
from svc_auth.models import RefreshToken, SignIn, User
from svc_auth.passwords import PasswordHasher, check_password_policy

INVALID_CREDENTIALS = "invalid email or password"
INVALID_REFRESH_TOKEN = "invalid refresh token"
MAX_USER_AGENT_LENGTH = 255


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
    # Where ended sessions are written, so their access tokens stop passing everywhere.
    ended_sessions: EndedSessions


def _account(user: User) -> Account:
    return Account(id=str(user.id), email=user.email, created_at=user.created_at)


def _digest(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


async def _open_session(
    user: User, *, policy: TokenPolicy, family_id: uuid.UUID | None = None, user_agent: str = ""
) -> Session:
    """Issues a refresh token of the family (a new one: a new sign-in) and an access token naming it."""
    refresh_token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    if family_id is None:
        family_id = uuid.uuid4()
        await SignIn.create(id=family_id, user=user, last_used_at=now, user_agent=user_agent[:MAX_USER_AGENT_LENGTH])
    else:
        await SignIn.filter(id=family_id).update(last_used_at=now)
    await RefreshToken.create(
        user=user, family_id=family_id, token_hash=_digest(refresh_token), expires_at=now + policy.refresh_ttl
    )
    access_token = policy.signing_key.access_token(
        user_id=str(user.id), email=user.email, session_id=str(family_id), ttl=policy.access_ttl, now=now
    )
    return Session(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(policy.access_ttl.total_seconds()),
        account=_account(user),
    )


async def register(
    *, email: str, password: str, hasher: PasswordHasher, policy: TokenPolicy, user_agent: str = ""
) -> Session:
    normalized = normalize_email(email)
    check_password_policy(password)
    password_hash = await hasher.hash(password)
    try:
        user = await User.create(email=normalized, password_hash=password_hash)
    except IntegrityError as exc:
        raise AlreadyExists("an account with this email already exists", field="email") from exc
    return await _open_session(user, policy=policy, user_agent=user_agent)


async def login(
    *, email: str, password: str, hasher: PasswordHasher, policy: TokenPolicy, user_agent: str = ""
) -> Session:
    try:
        user = await User.get_or_none(email=normalize_email(email))
    except InvalidArgument:
        user = None
    # Always verify (against a decoy when the user is unknown): both failures take as long.
    if not await hasher.verify(password, user.password_hash if user else None) or user is None:
        raise Unauthenticated(INVALID_CREDENTIALS)
    return await _open_session(user, policy=policy, user_agent=user_agent)


async def _lock_families(connection: BaseDBAsyncClient, family_ids: set[uuid.UUID]) -> None:
    """Serialises the transactions touching these families until commit (in one order: no deadlock).

    Row locks cannot do this: a revoking UPDATE does not see a token that a concurrent rotation
    inserts after the UPDATE began, and that token would live on outside the revocation.
    """
    for family_id in sorted(family_ids):
        await connection.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [str(family_id)])


async def end_sessions(*, family_ids: set[uuid.UUID], policy: TokenPolicy) -> None:
    """Revokes the families' refresh tokens and ends their sessions: their access tokens stop passing.

    Every way a sign-in ends goes through here (sign-out, a replayed refresh token, and whatever
    later ends sessions, such as a password change).
    """
    if not family_ids:
        return
    async with in_transaction() as connection:
        await _lock_families(connection, family_ids)
        now = datetime.now(UTC)
        await RefreshToken.filter(family_id__in=family_ids, revoked_at__isnull=True).update(revoked_at=now)
        await SignIn.filter(id__in=family_ids, ended_at__isnull=True).update(ended_at=now)
    await policy.ended_sessions.end(
        {str(family_id) for family_id in family_ids}, token_lifetime_seconds=policy.access_ttl.total_seconds()
    )


async def refresh(*, refresh_token: str, policy: TokenPolicy) -> Session:
    """Rotates the token. A token presented twice was stolen or replayed: its family is revoked.

    Claim, re-issue and revocation of one family happen one transaction at a time (`_lock_families`):
    of two requests presenting one token, the second sees the first's claim and revokes a family
    that already holds the first's new token.
    """
    found = await RefreshToken.get_or_none(token_hash=_digest(refresh_token))
    if found is None:
        raise Unauthenticated(INVALID_REFRESH_TOKEN)
    async with in_transaction() as connection:
        await _lock_families(connection, {found.family_id})
        token = await RefreshToken.get_or_none(id=found.id)
        now = datetime.now(UTC)
        if token is None or token.revoked_at is not None:
            raise Unauthenticated(INVALID_REFRESH_TOKEN)
        if token.expires_at <= now:
            raise Unauthenticated("refresh token expired")
        if token.used_at is None:
            token.used_at = now
            await token.save(update_fields=["used_at"])
            user = await User.get(id=token.user_id)  # type: ignore[attr-defined]
            return await _open_session(user, policy=policy, family_id=token.family_id)
    await end_sessions(family_ids={token.family_id}, policy=policy)
    raise Unauthenticated("refresh token was already used; that sign-in has been revoked")


async def end_every_session(
    *,
    user_id: str,
    policy: TokenPolicy,
    also: set[uuid.UUID] | None = None,
    but: set[uuid.UUID] | None = None,
) -> None:
    """Ends every session of the user (signing out everywhere; a password change keeps `but`)."""
    open_families = RefreshToken.filter(user_id=user_id, revoked_at__isnull=True).distinct()
    families = {uuid.UUID(str(family)) for family in await open_families.values_list("family_id", flat=True)}
    await end_sessions(family_ids=(families | (also or set())) - (but or set()), policy=policy)


def session_of(session_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(session_id)
    except ValueError as exc:
        raise Unauthenticated("the access token names no session") from exc


async def logout(
    *, user_id: str, session_id: str, refresh_token: str | None, everywhere: bool, policy: TokenPolicy
) -> None:
    """Ends the caller's session (and the refresh token's, when given), or with `everywhere` every
    session of the user."""
    families = {session_of(session_id)}
    if everywhere:
        await end_every_session(user_id=user_id, policy=policy, also=families)
        return
    if not refresh_token:
        await end_sessions(family_ids=families, policy=policy)
        return
    token = await RefreshToken.get_or_none(token_hash=_digest(refresh_token), user_id=user_id)
    if token is not None:
        families.add(token.family_id)
    await end_sessions(family_ids=families, policy=policy)


async def get_account(*, user_id: str) -> Account:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("account not found")
    return _account(user)
