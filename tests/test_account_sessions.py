"""Signed-in sessions (listed, ended one by one) and the password change, over the real stack."""

from __future__ import annotations

import httpx

from tests.support.account import eventually
from tests.support.users import PASSWORD, bearer, register, unique_email
from tests.test_sessions import http_refused

NEW_PASSWORD = "a brand new passphrase"


async def _login(http: httpx.AsyncClient, email: str, password: str = PASSWORD, agent: str = "test") -> httpx.Response:
    return await http.post(
        "/api/auth/login", json={"email": email, "password": password}, headers={"User-Agent": agent}
    )


async def _refused(http: httpx.AsyncClient, session: dict[str, object]) -> bool:
    return await http_refused(http, session)  # type: ignore[arg-type]


async def test_sessions_are_listed_with_the_current_one_marked(http: httpx.AsyncClient) -> None:
    email = unique_email()
    first = (
        await http.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "password_confirm": PASSWORD},
            headers={"User-Agent": "Firefox/130 on the laptop"},
        )
    ).json()
    second = (await _login(http, email, agent="Safari on the phone")).json()

    listing = await http.get("/api/auth/sessions", headers=bearer(first))
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    assert [item["user_agent"] for item in items] == ["Safari on the phone", "Firefox/130 on the laptop"]
    assert [item["current"] for item in items] == [False, True]
    assert all(item["created_at"] and item["last_used_at"] for item in items)
    # Refreshing is using: that session comes first.
    await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    items = (await http.get("/api/auth/sessions", headers=bearer(second))).json()["items"]
    assert [(item["user_agent"], item["current"]) for item in items] == [
        ("Firefox/130 on the laptop", False),
        ("Safari on the phone", True),
    ]
    assert (await http.get("/api/auth/sessions")).status_code == 401


async def test_ending_one_session_leaves_the_others(http: httpx.AsyncClient) -> None:
    first = await register(http)
    second = (await _login(http, first["user"]["email"])).json()
    stranger = await register(http)
    items = (await http.get("/api/auth/sessions", headers=bearer(first))).json()["items"]
    (other_id,) = [item["id"] for item in items if not item["current"]]
    (stranger_id,) = [
        item["id"] for item in (await http.get("/api/auth/sessions", headers=bearer(stranger))).json()["items"]
    ]

    # Another person's session, and one that is no session at all, are not found; nothing ends.
    for wrong in (stranger_id, "not-a-session"):
        response = await http.delete(f"/api/auth/sessions/{wrong}", headers=bearer(first))
        assert response.status_code == 404, response.text
    assert not await _refused(http, stranger)

    assert (await http.delete(f"/api/auth/sessions/{other_id}", headers=bearer(first))).status_code == 204
    await eventually(lambda: _refused(http, second), seconds=5)
    assert (await http.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})).status_code == 401
    assert not await _refused(http, first)
    assert [
        item["current"] for item in (await http.get("/api/auth/sessions", headers=bearer(first))).json()["items"]
    ] == [True]
    assert (await http.delete(f"/api/auth/sessions/{other_id}", headers=bearer(first))).status_code == 404


async def test_logout_ends_the_current_session_and_lists_it_no_more(http: httpx.AsyncClient) -> None:
    first = await register(http)
    second = (await _login(http, first["user"]["email"])).json()
    assert (await http.post("/api/auth/logout", headers=bearer(first))).status_code == 204
    items = (await http.get("/api/auth/sessions", headers=bearer(second))).json()["items"]
    assert [item["current"] for item in items] == [True]


async def test_changing_the_password_signs_out_every_other_session(http: httpx.AsyncClient) -> None:
    first = await register(http)
    email = first["user"]["email"]
    second = (await _login(http, email)).json()

    wrong = await http.post(
        "/api/auth/password",
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
        headers=bearer(first),
    )
    assert wrong.status_code == 403, wrong.text
    assert wrong.json() == {"detail": "the current password is wrong"}
    short = await http.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=bearer(first)
    )
    assert short.status_code == 422
    assert not await _refused(http, second)

    changed = await http.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=bearer(first)
    )
    assert changed.status_code == 204, changed.text
    await eventually(lambda: _refused(http, second), seconds=5)
    assert not await _refused(http, first)
    assert (await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).status_code == 200
    assert (await _login(http, email)).status_code == 401
    assert (await _login(http, email, NEW_PASSWORD)).status_code == 200


async def test_the_password_change_is_rate_limited_like_login(http: httpx.AsyncClient) -> None:
    session = await register(http)
    statuses = []
    for _ in range(7):
        response = await http.post(
            "/api/auth/password",
            json={"current_password": "guess guess", "new_password": NEW_PASSWORD},
            headers=bearer(session),
        )
        statuses.append(response.status_code)
    # Five wrong guesses per email and client (the login's limit), then refused with a Retry-After.
    assert statuses == [403] * 5 + [429] * 2
    assert "Retry-After" in response.headers
