"""What the owner of an account does with the password: change it, or delete the account.

Deleting an account ends every session at once (their access tokens stop passing within the
ended-session check), deletes the user row (its tokens and sessions cascade, the email is free
again) and writes an `AccountDeletion` row in the same transaction: the outbox from which svc_images
is told to purge the account's images (`svc_auth.purge`), until it has answered.
"""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from pixelflow.errors import InvalidArgument, NotFound, PermissionDenied
from svc_auth.accounts import TokenPolicy, end_every_session, end_sessions, session_of
from svc_auth.models import AccountDeletion, RefreshToken, User
from svc_auth.passwords import PasswordHasher, check_password_policy

WRONG_PASSWORD = "the current password is wrong"


async def _verified(*, user_id: str, password: str, hasher: PasswordHasher) -> User:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("account not found")
    if not await hasher.verify(password, user.password_hash):
        raise PermissionDenied(WRONG_PASSWORD)
    return user


async def change_password(
    *,
    user_id: str,
    session_id: str,
    current_password: str,
    new_password: str,
    hasher: PasswordHasher,
    policy: TokenPolicy,
) -> None:
    """Sets the new password; every session but the caller's ends."""
    current = session_of(session_id)
    user = await _verified(user_id=user_id, password=current_password, hasher=hasher)
    try:
        check_password_policy(new_password)
    except InvalidArgument as exc:
        raise InvalidArgument(str(exc), field="new_password") from exc
    user.password_hash = await hasher.hash(new_password)
    await user.save(update_fields=["password_hash"])
    await end_every_session(user_id=user_id, policy=policy, but={current})


async def delete_account(
    *, user_id: str, session_id: str, password: str, hasher: PasswordHasher, policy: TokenPolicy
) -> None:
    """Ends every session, then deletes the user and queues the purge of its images, in one transaction."""
    families = {session_of(session_id)}
    user = await _verified(user_id=user_id, password=password, hasher=hasher)
    every = await RefreshToken.filter(user_id=user.id).distinct().values_list("family_id", flat=True)
    families |= {uuid.UUID(str(family)) for family in every}
    # Before the row goes: if Redis is down this fails, and the account is left as it was.
    await end_sessions(family_ids=families, policy=policy)
    async with in_transaction() as connection:
        await AccountDeletion.create(user_id=user.id, using_db=connection)
        await User.filter(id=user.id).using_db(connection).delete()
