"""The signed-in sessions of an account, as its owner sees them, and ending one of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pixelflow.errors import NotFound
from svc_auth.accounts import TokenPolicy, end_sessions, session_of
from svc_auth.models import SignIn


@dataclass(frozen=True)
class SignedIn:
    id: str
    created_at: datetime
    last_used_at: datetime
    user_agent: str
    current: bool


async def list_sessions(*, user_id: str, session_id: str, policy: TokenPolicy) -> list[SignedIn]:
    """Open sessions, most recently used first; one unused for a refresh token's lifetime is over."""
    current = session_of(session_id)
    active_since = datetime.now(UTC) - policy.refresh_ttl
    rows = await SignIn.filter(user_id=user_id, ended_at__isnull=True, last_used_at__gt=active_since).order_by(
        "-last_used_at", "id"
    )
    return [
        SignedIn(
            id=str(row.id),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            user_agent=row.user_agent,
            current=row.id == current,
        )
        for row in rows
    ]


async def end_one(*, user_id: str, session_id: str, policy: TokenPolicy) -> None:
    """Ends one of the user's sessions; an ended one, or another person's, is NotFound."""
    try:
        wanted = uuid.UUID(session_id)
    except ValueError as exc:
        raise NotFound("session not found") from exc
    if not await SignIn.filter(id=wanted, user_id=user_id, ended_at__isnull=True).exists():
        raise NotFound("session not found")
    await end_sessions(family_ids={wanted}, policy=policy)
