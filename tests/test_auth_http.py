"""Sign-up and sign-in through the HTTP edge, which calls svc_auth over gRPC."""

from __future__ import annotations

import httpx
import pytest

from tests.support.users import PASSWORD, bearer, register, unique_email


async def test_register_login_me(http: httpx.AsyncClient) -> None:
    email = unique_email("Alice")
    session = await register(http, email)
    assert session["token_type"] == "bearer"
    assert session["expires_in"] == 15 * 60
    assert session["user"]["email"] == email.lower()

    login = await http.post("/api/auth/login", json={"email": email.upper(), "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["user"]["id"] == session["user"]["id"]

    me = await http.get("/api/auth/me", headers=bearer(login.json()))
    assert me.status_code == 200
    assert me.json()["id"] == session["user"]["id"]
    assert me.json()["email"] == email.lower()
    assert me.json()["created_at"]


async def test_duplicate_email_in_another_case_is_409(http: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(http, email)
    again = await http.post(
        "/api/auth/register",
        json={"email": email.upper(), "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "an account with this email already exists"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "password_confirm": PASSWORD}, "email"),
        ({"email": "a@example.com", "password": "short", "password_confirm": "short"}, "password"),
        ({"email": "a@example.com", "password": "x" * 129, "password_confirm": "x" * 129}, "password"),
        ({"email": "a@example.com", "password": PASSWORD, "password_confirm": PASSWORD + "!"}, "password_confirm"),
        ({"email": "a@example.com", "password": PASSWORD}, "password_confirm"),
        ({"email": 12, "password": PASSWORD, "password_confirm": PASSWORD}, "email"),
    ],
)
async def test_invalid_registration_names_the_field(
    http: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await http.post("/api/auth/register", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [error["loc"] for error in detail] == [["body", field]]
    assert all(error["msg"] for error in detail)
    assert PASSWORD not in response.text  # no input is echoed back


async def test_wrong_password_and_unknown_email_answer_alike(http: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(http, email)
    wrong = await http.post("/api/auth/login", json={"email": email, "password": "not the password"})
    unknown = await http.post("/api/auth/login", json={"email": unique_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "invalid email or password"}


async def test_me_needs_a_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "missing bearer token"}


async def test_refresh_rotates_and_reuse_revokes_the_family(http: httpx.AsyncClient) -> None:
    first = await register(http)
    rotated = await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await http.get("/api/auth/me", headers=bearer(second))).status_code == 200

    replay = await http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert "already used" in replay.json()["detail"]
    # The replay revoked the whole family: the token rotation handed out is dead too.
    after = await http.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401

    # Another sign-in of the same user is a different family and keeps working.
    login = await http.post("/api/auth/login", json={"email": first["user"]["email"], "password": PASSWORD})
    other = await http.post("/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert other.status_code == 200


async def test_refresh_with_garbage_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/auth/refresh", json={"refresh_token": "no-such-token"})
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid refresh token"}


async def test_logout_revokes_the_refresh_token(http: httpx.AsyncClient) -> None:
    session = await register(http)
    response = await http.post(
        "/api/auth/logout", json={"refresh_token": session["refresh_token"]}, headers=bearer(session)
    )
    assert response.status_code == 204
    assert response.content == b""
    refreshed = await http.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 401


async def test_logout_without_a_token_ends_only_the_current_session(http: httpx.AsyncClient) -> None:
    session = await register(http)
    login = (await http.post("/api/auth/login", json={"email": session["user"]["email"], "password": PASSWORD})).json()
    assert (await http.post("/api/auth/logout", headers=bearer(session))).status_code == 204
    assert (await http.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})).status_code == 401
    assert (await http.post("/api/auth/refresh", json={"refresh_token": login["refresh_token"]})).status_code == 200
    assert (await http.post("/api/auth/logout")).status_code == 401


async def test_logout_everywhere_ends_every_session(http: httpx.AsyncClient) -> None:
    session = await register(http)
    login = (await http.post("/api/auth/login", json={"email": session["user"]["email"], "password": PASSWORD})).json()
    ended = await http.post("/api/auth/logout", json={"everywhere": True}, headers=bearer(session))
    assert ended.status_code == 204
    for token in (session["refresh_token"], login["refresh_token"]):
        assert (await http.post("/api/auth/refresh", json={"refresh_token": token})).status_code == 401


async def test_register_rate_limit_per_address(http: httpx.AsyncClient) -> None:
    statuses = []
    for _ in range(11):
        response = await http.post(
            "/api/auth/register",
            json={"email": unique_email(), "password": PASSWORD, "password_confirm": PASSWORD},
        )
        statuses.append(response.status_code)
    assert statuses == [201] * 10 + [429]
    assert response.json()["detail"].startswith("too many attempts")
