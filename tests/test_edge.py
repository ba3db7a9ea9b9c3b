"""The HTTP edge's own behaviour: health, readiness, errors as JSON, headers, no database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from edge.app import create_app
from pixelflow.runtime.testing import RunningService
from tests.conftest import edge_settings_for
from tests.support.http import serve_http


async def test_healthz(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_every_service_serves(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"auth": "SERVING", "images": "SERVING", "redis": "SERVING"},
    }


async def test_readyz_names_the_service_that_is_down(redis_prefix: str, images_server: RunningService) -> None:
    # A backend that stays down is waited for until each call's deadline: keep it short here.
    settings = edge_settings_for(
        "127.0.0.1:1",
        redis_prefix,
        images_address=images_server.address,
        readiness_timeout_seconds=0.5,
        grpc_timeout_seconds=1.0,
    )
    async with serve_http(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        ready = await client.get("/readyz")
        login = await client.post("/api/auth/login", json={"email": "a@example.com", "password": "whatever1"})
    assert ready.status_code == 503
    assert ready.json()["detail"] == "not ready: auth"
    assert ready.json()["checks"]["auth"].startswith("unreachable")
    assert login.status_code == 503
    assert login.json() == {"detail": "a backend service is unavailable, try again shortly"}


async def test_unknown_route_and_method_are_json(http: httpx.AsyncClient) -> None:
    missing = await http.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    wrong_method = await http.get("/api/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}


async def test_malformed_and_mistyped_json_is_422(http: httpx.AsyncClient) -> None:
    broken = await http.post("/api/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["type"] == "json_invalid"
    mistyped = await http.post("/api/auth/login", json={"email": ["a"], "password": {"x": 1}})
    assert mistyped.status_code == 422
    assert {tuple(error["loc"]) for error in mistyped.json()["detail"]} == {("body", "email"), ("body", "password")}
    not_an_object = await http.post("/api/auth/refresh", json=[1, 2, 3])
    assert not_an_object.status_code == 422


async def test_huge_json_bodies_are_413(http: httpx.AsyncClient) -> None:
    padding = "x" * (128 * 1024)
    declared = await http.post("/api/auth/login", json={"email": padding, "password": padding})
    assert declared.status_code == 413
    assert declared.json() == {"detail": "request body too large"}

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "'
        for _ in range(64):
            yield b"x" * 4096
        yield b'", "password": "p"}'

    streamed = await http.post("/api/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert streamed.json() == {"detail": "request body too large"}


async def test_security_headers_and_request_id(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    generated = await http.get("/healthz", headers={"x-request-id": "f" * 300})
    assert len(generated.headers["x-request-id"]) == 32


async def test_openapi_docs(http: httpx.AsyncClient) -> None:
    docs = await http.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    schema = (await http.get("/openapi.json")).json()
    assert {"/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/auth/me"} <= set(
        schema["paths"]
    )


def test_the_edge_never_loads_a_database_driver() -> None:
    probe = "import sys, edge.app, edge.__main__; print(sorted({'tortoise', 'asyncpg', 'aerich'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


async def test_the_web_app_is_served_with_client_route_fallback(
    auth_server: RunningService, images_server: RunningService, redis_prefix: str, tmp_path: Path
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>pixelflow</title>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    settings = edge_settings_for(
        auth_server.address, redis_prefix, images_address=images_server.address, web_dist=tmp_path
    )
    async with serve_http(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        index = await client.get("/")
        route = await client.get("/signin")
        asset = await client.get("/assets/app-1234.js")
        missing_asset = await client.get("/assets/nope.js")
        api_missing = await client.get("/api/nothing")
        health = await client.get("/healthz")
    assert index.status_code == route.status_code == 200
    assert "<title>pixelflow</title>" in route.text
    assert route.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in route.headers["content-security-policy"]
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert missing_asset.status_code == 404
    assert api_missing.status_code == 404
    assert api_missing.json() == {"detail": "Not Found"}
    assert health.json() == {"status": "ok"}
