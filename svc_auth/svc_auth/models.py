from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.UUIDField(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive.
    email = fields.CharField(max_length=320, unique=True)
    password_hash = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class RefreshToken(Model):
    """One issued refresh token. Rotation chains tokens into a family sharing `family_id`."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auth.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    family_id = fields.UUIDField(db_index=True)
    # SHA-256 of the token: a leaked table holds no usable token.
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_tokens"


class SignIn(Model):
    """One session (a sign-in): the refresh-token family `id`, what the session list shows of it."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auth.User", related_name="sign_ins", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField()
    user_agent = fields.CharField(max_length=255, default="")
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sign_ins"


class AccountDeletion(Model):
    """The outbox of deleted accounts: svc_images is told to purge each (retried until it answers).

    No foreign key: the user row is gone in the same transaction that writes this one.
    """

    user_id = fields.UUIDField(primary_key=True)
    requested_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.IntField(default=0)

    class Meta:
        table = "account_deletions"
