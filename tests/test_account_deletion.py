"""Deleting an account over the real stack: every session and token stops at once, every image and
object of the account goes (not another person's), the email is free again; and svc_images being
down when it happens (a crash between the two services) leaves nothing behind once it is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from edge.app import create_app
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for
from tests.support.account import eventually, owner_keys, query
from tests.support.http import serve_http
from tests.support.images import GARDEN_PNG, ORIENTED_JPEG, Listener, upload
from tests.support.proxy import FaultyProxy
from tests.support.services import WorkerProcess
from tests.support.users import PASSWORD, bearer, client_address, register
from tests.test_sessions import http_refused


@dataclass
class Stack:
    http: httpx.AsyncClient
    url: str
    images_link: FaultyProxy
    auth: RunningService


@pytest.fixture
async def stack(auth_settings: AuthSettings, images_server: RunningService, redis_prefix: str) -> AsyncIterator[Stack]:
    """An svc_auth that reaches this run's svc_images through a link the test can cut."""
    host, port = images_server.address.split(":")
    link = FaultyProxy(host, int(port))
    await link.up()
    settings = auth_settings.model_copy(
        update={
            "images_address": link.address,
            "purge_interval_seconds": 0.3,
            "purge_inline_timeout_seconds": 2.0,
            "purge_repeat_seconds": 5.0,
        }
    )
    async with (
        serve_for_test(AuthService(settings)) as auth,
        serve_http(
            create_app(edge_settings_for(auth.address, redis_prefix, images_address=images_server.address))
        ) as url,
        httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": client_address()}, timeout=30) as http,
    ):
        yield Stack(http=http, url=url, images_link=link, auth=auth)
    await link.down()


async def _stored_files(stack: Stack, session: dict[str, Any]) -> int:
    """Two originals, and every stored variant of each (the thumbnail, the widths, the optimized result)."""
    listed = (await stack.http.get("/api/images", headers=bearer(session))).json()["items"]
    assert len(listed) == 2
    return len(listed) + sum(len(image["variants"]) for image in listed)


async def _with_images(stack: Stack, *, converted: bool) -> dict[str, Any]:
    owner = await register(stack.http)
    listener = Listener()
    await listener.connect(stack.url, owner["access_token"])
    try:
        for data, name in ((GARDEN_PNG.read_bytes(), "a.png"), (ORIENTED_JPEG.read_bytes(), "b.jpg")):
            response = await upload(stack.http, owner, data, filename=name)
            assert response.status_code == 201, response.text
            if converted:
                await listener.wait_for(response.json()["id"], "done")
    finally:
        await listener.close()
    return owner


async def _delete(stack: Stack, session: dict[str, Any], password: str = PASSWORD) -> httpx.Response:
    return await stack.http.request("DELETE", "/api/auth/me", json={"password": password}, headers=bearer(session))


async def _images_of(images_settings: ImagesSettings, owner_id: str) -> int:
    rows = await query(
        images_settings.database_url, 'SELECT COUNT(*) AS n FROM "images" WHERE "user_id" = $1::uuid', owner_id
    )
    return int(rows[0]["n"])


async def test_a_deleted_account_leaves_nothing_and_its_email_is_free(
    stack: Stack, worker: WorkerProcess, images_settings: ImagesSettings
) -> None:
    owner = await _with_images(stack, converted=True)
    owner_id, email = owner["user"]["id"], owner["user"]["email"]
    other_sign_in = (await stack.http.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()
    stranger = await _with_images(stack, converted=True)
    assert len(await owner_keys(images_settings, owner_id)) == await _stored_files(stack, owner)

    wrong = await _delete(stack, owner, "not my password")
    assert wrong.status_code == 403
    assert not await http_refused(stack.http, owner)
    assert (await stack.http.request("DELETE", "/api/auth/me", headers=bearer(owner))).status_code == 422

    assert (await _delete(stack, owner)).status_code == 204

    async def refused() -> bool:
        return await http_refused(stack.http, owner) and await http_refused(stack.http, other_sign_in)

    await eventually(refused, seconds=5)
    for token in (owner["refresh_token"], other_sign_in["refresh_token"]):
        assert (await stack.http.post("/api/auth/refresh", json={"refresh_token": token})).status_code == 401
    assert (await stack.http.post("/api/auth/login", json={"email": email, "password": PASSWORD})).status_code == 401

    async def purged() -> bool:
        return await owner_keys(images_settings, owner_id) == [] and await _images_of(images_settings, owner_id) == 0

    await eventually(purged)
    # Another person's images are untouched.
    assert len((await stack.http.get("/api/images", headers=bearer(stranger))).json()["items"]) == 2
    assert len(await owner_keys(images_settings, stranger["user"]["id"])) == await _stored_files(stack, stranger)

    again = await register(stack.http, email=email)
    assert again["user"]["id"] != owner_id
    assert (await stack.http.get("/api/images", headers=bearer(again))).json()["items"] == []


async def test_svc_images_down_at_the_deletion_purges_once_it_is_back(
    stack: Stack, worker: WorkerProcess, images_settings: ImagesSettings
) -> None:
    owner = await _with_images(stack, converted=True)
    owner_id = owner["user"]["id"]
    stored = await owner_keys(images_settings, owner_id)
    assert len(stored) == await _stored_files(stack, owner)

    await stack.images_link.down()
    assert (await _delete(stack, owner)).status_code == 204
    await eventually(lambda: http_refused(stack.http, owner), seconds=5)
    # svc_auth has done its part; svc_images has not heard of it yet.
    assert await owner_keys(images_settings, owner_id) == stored
    assert await _images_of(images_settings, owner_id) == 2
    auth_db = stack.auth.runner.settings.database_url  # type: ignore[attr-defined]
    assert await query(auth_db, 'SELECT 1 FROM "account_deletions" WHERE "user_id" = $1::uuid', owner_id)

    await stack.images_link.up()

    async def purged() -> bool:
        return (
            await owner_keys(images_settings, owner_id) == []
            and await _images_of(images_settings, owner_id) == 0
            and not await query(auth_db, 'SELECT 1 FROM "account_deletions" WHERE "user_id" = $1::uuid', owner_id)
        )

    await eventually(purged)


async def test_an_upload_in_flight_at_the_deletion_is_purged_once_it_lands(
    stack: Stack, images_settings: ImagesSettings
) -> None:
    owner = await register(stack.http)
    owner_id = owner["user"]["id"]
    photo = GARDEN_PNG.read_bytes()
    boundary = "in-flight-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    rest_may_come = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield head + photo[: len(photo) // 2]
        await rest_may_come.wait()
        yield photo[len(photo) // 2 :] + f"\r\n--{boundary}--\r\n".encode()

    headers = {**bearer(owner), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    uploading = asyncio.create_task(stack.http.post("/api/images", content=body(), headers=headers))

    async def reserved() -> bool:
        """svc_images has accepted the caller and holds quota room for the upload."""
        rows = await query(
            images_settings.database_url, 'SELECT 1 FROM "upload_reservations" WHERE "user_id" = $1::uuid', owner_id
        )
        return bool(rows)

    await eventually(reserved, seconds=10)
    assert (await _delete(stack, owner)).status_code == 204
    rest_may_come.set()
    landed = await uploading
    assert landed.status_code == 201, landed.text  # accepted before the deletion: it finishes

    async def purged() -> bool:
        return await owner_keys(images_settings, owner_id) == [] and await _images_of(images_settings, owner_id) == 0

    await eventually(purged)
