"""The schema changes of issue 18 carry existing rows over: svc_auth's sign-ins (migration 1) and
svc_images' deletion outbox (migration 5)."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.media.storage import s3_client
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_auth.keys import load_signing_key
from svc_auth.migrations import MIGRATIONS as AUTH_MIGRATIONS
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings
from svc_images.migrations import MIGRATIONS as IMAGES_MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.support.account import eventually, object_exists
from tests.support.migrations import previous_release, upgrade
from tests.support.users import PASSWORD, unique_email
from tests.test_quota import ParkedQueue

INSERT_USER = "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, 'x', now())"
INSERT_TOKEN = (
    "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, used_at, revoked_at)"
    " VALUES ($1, $2, $3, $4, now() - $5::interval, now() + interval '1 day', $6, $7)"
)


def _before(migrations_location: Path, number: int) -> int:
    """The last migration before `number` (others land concurrently: not a constant)."""
    return max(
        int(p.name.split("_", 1)[0]) for p in migrations_location.glob("*.py") if int(p.name.split("_", 1)[0]) < number
    )


async def test_sessions_signed_in_before_migration_1_are_listed_after_it(
    auth_settings: AuthSettings, tmp_path: Path
) -> None:
    user, open_family, ended_family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    last = _before(AUTH_MIGRATIONS.location / "auth", 1)
    async with previous_release(AUTH_MIGRATIONS, tmp_path, name="signins_upgrade", last=last) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await db.execute(INSERT_USER, user, unique_email("migrated"))
            # A session refreshed once (its first token used), and one signed out.
            await db.execute(INSERT_TOKEN, uuid.uuid4(), user, open_family, "a" * 64, timedelta(hours=3), None, None)
            await db.execute(
                "UPDATE refresh_tokens SET used_at = now() - interval '1 hour' WHERE token_hash = $1", "a" * 64
            )
            await db.execute(INSERT_TOKEN, uuid.uuid4(), user, open_family, "b" * 64, timedelta(hours=1), None, None)
            await db.execute(INSERT_TOKEN, uuid.uuid4(), user, ended_family, "c" * 64, timedelta(hours=2), None, None)
            await db.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1", "c" * 64)
        finally:
            await db.close()
        assert await upgrade(AUTH_MIGRATIONS, url) == ["1"]

        settings = auth_settings.model_copy(update={"database_url": url})
        token = load_signing_key(settings).access_token(
            user_id=str(user), email="migrated@example.com", session_id=str(open_family), ttl=timedelta(minutes=5)
        )
        async with serve_for_test(AuthService(settings)) as auth:
            stub = auth_pb2_grpc.AuthStub(auth.channel)
            reply = await stub.ListSessions(
                auth_pb2.ListSessionsRequest(), metadata=(("authorization", f"Bearer {token}"),)
            )
            [session] = reply.sessions
            assert (session.id, session.current, session.user_agent) == (str(open_family), True, "")
            created, used = session.created_at.ToDatetime(), session.last_used_at.ToDatetime()
            assert timedelta(hours=1.9) < used - created < timedelta(hours=2.1)


async def test_images_deleted_after_migration_5_leave_nothing(
    images_settings: ImagesSettings, auth_server: RunningService, tmp_path: Path
) -> None:
    session = await auth_pb2_grpc.AuthStub(auth_server.channel).Register(
        auth_pb2.RegisterRequest(email=unique_email("migrated"), password=PASSWORD)
    )
    image_id = uuid.uuid4()
    key = f"originals/{session.user.id}/{image_id}"
    last = _before(IMAGES_MIGRATIONS.location / "images", 5)
    async with previous_release(IMAGES_MIGRATIONS, tmp_path, name="deletion_upgrade", last=last) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await db.execute(
                "INSERT INTO images (id, user_id, original_name, content_type, original_key, status, width, height,"
                " size_bytes, generation, uploaded_at, updated_at)"
                " VALUES ($1, $2, 'old.png', 'image/png', $3, 'failed', 1, 1, 4, 0, now(), now())",
                image_id,
                uuid.UUID(session.user.id),
                key,
            )
        finally:
            await db.close()
        assert (await upgrade(IMAGES_MIGRATIONS, url))[0] == "5"  # then the later ones

        settings = images_settings.model_copy(update={"database_url": url})
        async with serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images:
            client = s3_client(images_settings)  # the bucket exists once the service has started
            try:
                await client.put_object(images_settings.s3_bucket, key, io.BytesIO(b"old!"), 4)
            finally:
                await client.close_session()  # type: ignore[no-untyped-call]
            stub = images_pb2_grpc.ImagesStub(images.channel)
            auth = (("authorization", f"Bearer {session.access_token}"),)
            await stub.DeleteImage(images_pb2.DeleteImageRequest(id=str(image_id)), metadata=auth)
            listing = await stub.ListImages(images_pb2.ListImagesRequest(), metadata=auth)
            assert list(listing.images) == []

            async def removed() -> bool:
                return not await object_exists(images_settings, key)

            await eventually(removed)
