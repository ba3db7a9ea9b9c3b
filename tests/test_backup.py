"""The restore drill: a running system with accounts and images in every status is backed up, both
databases and the bucket are wiped, everything is restored, and it all reads back the same through
the API, originals and results byte for byte. Own databases, bucket and queue."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from edge.app import create_app
from pixelflow.media.storage import s3_client
from pixelflow.runtime.database import drop_database
from pixelflow.runtime.testing import serve_for_test
from svc_auth.migrations import MIGRATIONS as AUTH_MIGRATIONS
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings
from svc_images.migrations import MIGRATIONS as IMAGES_MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import POSTGRES, REDIS_URL, RUN_ID, edge_settings_for, worker_env
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, upload
from tests.support.services import running_worker
from tests.support.users import PASSWORD, bearer, client_address, register
from tools import embedded
from tools.backup import objects, postgres, run
from tools.backup.settings import BackupSettings

FINAL = ("done", "failed")


@pytest.fixture
async def settings(s3_endpoint: str, tmp_path: Path) -> AsyncIterator[tuple[AuthSettings, ImagesSettings]]:
    auth_url = embedded.database_url(POSTGRES, f"pixelflow_test_{RUN_ID}_backup_auth")
    images_url = embedded.database_url(POSTGRES, f"pixelflow_test_{RUN_ID}_backup_images")
    await AUTH_MIGRATIONS.upgrade(auth_url)
    await IMAGES_MIGRATIONS.upgrade(images_url)
    prefix = f"pixelflow-test-{RUN_ID}-backup"
    auth = AuthSettings(
        environment="test",
        database_url=auth_url,
        data_dir=tmp_path / "auth-data",  # the signing key: a setting, not a row, so a restore keeps it
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        argon2_parallelism=1,
        redis_url=REDIS_URL,
        redis_prefix=prefix,
    )
    images = ImagesSettings(
        environment="test",
        database_url=images_url,
        redis_url=REDIS_URL,
        queue_name=prefix,
        redis_prefix=prefix,
        s3_endpoint=s3_endpoint,
        s3_bucket=f"pixelflow-test-{RUN_ID}-backup",
        reconcile_after_seconds=3600,  # the queued image stays queued for the comparison
        shutdown_grace_seconds=2,
    )
    try:
        yield auth, images
    finally:
        await drop_database(auth_url)
        await drop_database(images_url)
        redis = Redis.from_url(REDIS_URL)  # the queue with the job left queued, sessions, rate limits
        keys = [key async for key in redis.scan_iter(f"*{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@asynccontextmanager
async def running_system(auth: AuthSettings, images: ImagesSettings) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """svc_auth, svc_images and the edge, as a restart after a restore would start them."""
    async with AsyncExitStack() as stack:
        auth_server = await stack.enter_async_context(serve_for_test(AuthService(auth)))
        images = images.model_copy(update={"auth_address": auth_server.address})
        images_server = await stack.enter_async_context(serve_for_test(ImagesService(images)))
        edge = edge_settings_for(auth_server.address, images.redis_prefix, images_address=images_server.address)
        url = await stack.enter_async_context(serve_http(create_app(edge)))
        http = await stack.enter_async_context(
            httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": client_address()}, timeout=30)
        )
        yield http, images_server.address


async def settled(http: httpx.AsyncClient, session: dict[str, Any], image_id: str) -> dict[str, Any]:
    for _ in range(600):
        body: dict[str, Any] = (await http.get(f"/api/images/{image_id}", headers=bearer(session))).json()
        if body["status"] in FINAL:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{image_id} never finished: {body}")


async def what_the_api_says(http: httpx.AsyncClient, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """Each account's `me` and image list, and every optimized file's bytes."""
    seen: dict[str, Any] = {}
    for session in sessions:
        me = await http.get("/api/auth/me", headers=bearer(session))
        listing = await http.get("/api/images", headers=bearer(session))
        assert me.status_code == listing.status_code == 200, (me.text, listing.text)
        seen[session["user"]["id"]] = {"me": me.json(), "images": listing.json()}
        for image in listing.json()["items"]:
            if image["status"] == "done":
                optimized = await http.get(image["optimized_url"], headers=bearer(session))
                assert optimized.status_code == 200
                seen[image["id"]] = optimized.content
    return seen


async def bucket_contents(images: ImagesSettings) -> dict[str, bytes]:
    client = s3_client(images)
    try:
        found: dict[str, bytes] = {}
        async for listed in client.list_objects(images.s3_bucket, recursive=True):
            response = await client.get_object(images.s3_bucket, str(listed.object_name))
            found[str(listed.object_name)] = await response.read()
            response.close()
            await response.release()
        return found
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]


async def wipe_bucket(images: ImagesSettings) -> None:
    client = s3_client(images)
    try:
        async for listed in client.list_objects(images.s3_bucket, recursive=True):
            await client.remove_object(images.s3_bucket, str(listed.object_name))
        await client.remove_bucket(images.s3_bucket)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]


async def backup_by_command(settings: BackupSettings) -> run.BackupResult:
    """`python -m tools.backup backup`, as `make backup` runs it, configured by its environment."""
    env = {
        "PIXELFLOW_ENV": "test",
        "PIXELFLOW_BACKUP_AUTH_DATABASE_URL": settings.auth_database_url,
        "PIXELFLOW_BACKUP_IMAGES_DATABASE_URL": settings.images_database_url,
        "PIXELFLOW_BACKUP_DIR": str(settings.dir),
        "PIXELFLOW_BACKUP_S3_ENDPOINT": settings.s3_endpoint,
        "PIXELFLOW_BACKUP_S3_BUCKET": settings.s3_bucket,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tools.backup", "backup", env=os.environ | env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    match = re.fullmatch(rb"backup (\S+): (\d+) objects copied, (\d+) kept\n", out)
    assert match, out
    counts = objects.Counts(copied=int(match.group(2)), skipped=int(match.group(3)))
    return run.BackupResult(set_dir=Path(match.group(1).decode()), objects=counts)


def test_restoring_from_an_empty_directory_says_so(tmp_path: Path) -> None:
    env = {"PIXELFLOW_ENV": "test", "PIXELFLOW_BACKUP_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "tools.backup", "restore"], env=os.environ | env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"no complete backup in {tmp_path / 'databases'}"


async def test_a_wiped_system_comes_back_from_its_backup(
    settings: tuple[AuthSettings, ImagesSettings], tmp_path: Path
) -> None:
    auth, images = settings
    photo = ORIENTED_JPEG.read_bytes()
    async with running_system(auth, images) as (http, images_address):
        alice, bob = await register(http), await register(http)
        env = worker_env(images, images_address, images.redis_prefix)
        async with running_worker(env, tmp_path / "worker.log"):
            done = [(await upload(http, alice, data)).json()["id"] for data in (photo, GARDEN_PNG.read_bytes())]
            failed = (await upload(http, alice, photo[: len(photo) // 2], filename="cut.jpg")).json()["id"]
            statuses = [(await settled(http, alice, image_id))["status"] for image_id in (*done, failed)]
            assert statuses == ["done", "done", "failed"]
        queued = await upload(http, bob, photo)  # no worker any more: it stays queued
        assert queued.status_code == 201
        assert queued.json()["status"] == "queued"
        before = await what_the_api_says(http, [alice, bob])

        backup = BackupSettings(
            environment="test",
            auth_database_url=auth.database_url,
            images_database_url=images.database_url,
            dir=tmp_path / "backup",
            s3_endpoint=images.s3_endpoint,
            s3_bucket=images.s3_bucket,
        )
        first = await run.backup(backup)
        again = await backup_by_command(backup)  # `make backup`; incremental: nothing new to copy
        stored = await bucket_contents(images)
        # 4 originals, and every variant of the 2 done images (thumbnail, widths, optimized result).
        assert len([key for key in stored if key.startswith("originals/")]) == 4
        assert len([key for key in stored if key.endswith("/optimized.webp")]) == 2
        assert first.objects.copied == len(stored)
        assert (again.objects.copied, again.objects.skipped) == (0, len(stored))
        assert sorted(path.name for path in first.set_dir.iterdir()) == ["auth.dump", "images.dump", "manifest.json"]
        manifest = json.loads((first.set_dir / "manifest.json").read_text())
        server = await postgres.server_major(auth.database_url)
        assert manifest["server_major"] == {"images": server, "auth": server}
        assert min(manifest["pg_dump_major"].values()) >= server

        # After the backup: a refresh rotates alice's refresh token; the restore forgets it.
        rotated = await http.post("/api/auth/refresh", json={"refresh_token": alice["refresh_token"]})
        assert rotated.status_code == 200, rotated.text

    await drop_database(auth.database_url)
    await drop_database(images.database_url)
    await wipe_bucket(images)

    restored = await run.restore(backup)
    assert restored == again.set_dir
    assert await bucket_contents(images) == stored  # originals and results, byte for byte

    async with running_system(auth, images) as (http, _):
        # Access tokens signed before the backup are still accepted: the signing key is a setting
        # (PIXELFLOW_AUTH_PRIVATE_KEY[_FILE]), not in the database, so the restore does not touch it.
        assert await what_the_api_says(http, [alice, bob]) == before
        for session in (alice, bob):
            login = await http.post("/api/auth/login", json={"email": session["user"]["email"], "password": PASSWORD})
            assert login.status_code == 200, login.text
        # Refresh tokens are rows: one issued after the backup is unknown, the one before works again.
        after_backup = await http.post("/api/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
        assert after_backup.status_code == 401
        from_backup = await http.post("/api/auth/refresh", json={"refresh_token": alice["refresh_token"]})
        assert from_backup.status_code == 200, from_backup.text

    # Restored with another signing key (a lost Secret): tokens signed by the old one are refused,
    # the passwords still sign in.
    new_key = auth.model_copy(update={"data_dir": tmp_path / "another-key"})
    async with running_system(new_key, images) as (http, _):
        assert (await http.get("/api/auth/me", headers=bearer(bob))).status_code == 401
        login = await http.post("/api/auth/login", json={"email": bob["user"]["email"], "password": PASSWORD})
        assert login.status_code == 200, login.text
        assert (await http.get("/api/auth/me", headers=bearer(login.json()))).status_code == 200


def test_object_keys_cannot_leave_the_backup_directory(tmp_path: Path) -> None:
    assert objects.object_path(tmp_path, "originals/u/i") == tmp_path / "objects" / "originals" / "u" / "i"
    for key in ("../escape", "/etc/passwd", "originals/../../x", "a/./b", "a//b", "a/", ""):
        with pytest.raises(ValueError, match="refusing object key"):
            objects.object_path(tmp_path, key)


async def test_the_dump_uses_the_oldest_client_as_new_as_the_server() -> None:
    server = await postgres.server_major(POSTGRES)
    majors = {path: await postgres.client_major(path) for path in postgres.candidate_dirs()}
    chosen = await postgres.client_for(server, None)
    assert majors[chosen] == min(major for major in majors.values() if major >= server)
    with pytest.raises(postgres.PostgresClientMissing, match="PIXELFLOW_BACKUP_PG_BIN_DIR"):
        await postgres.client_for(server + 100, None)
