from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

PASSWORD = "correct horse battery"


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


_client_numbers = itertools.count(1)


def client_address() -> str:
    """A fresh address per test client from the benchmarking range (198.18.0.0/15), so the
    per-address rate limits of one test never count another test's requests."""
    number = next(_client_numbers)
    return f"198.18.{number // 254}.{number % 254 + 1}"


async def register(http: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD) -> dict[str, Any]:
    email = email or unique_email()
    response = await http.post(
        "/api/auth/register", json={"email": email, "password": password, "password_confirm": password}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}
