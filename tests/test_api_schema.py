"""The HTTP API answers as its OpenAPI document says: schemathesis, every check and every phase
(examples, coverage, fuzzing, stateful), against the running system with the web app mounted.

What the schema cannot say (matching passwords, image bytes, issued cursors, this person's image
ids) comes from tests/support/schemathesis_hooks.py; no check is switched off.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from edge.app import create_app
from pixelflow.runtime.testing import RunningService
from tests.conftest import edge_settings_for
from tests.support.http import serve_http
from tests.support.schemathesis_hooks import (
    ACCESS_TOKEN_ENV,
    EDGE_URL_ENV,
    IMAGE_IDS_ENV,
    ISSUED_CURSORS_ENV,
    ISSUED_LINKS_ENV,
    SIGN_OUT_ADDRESS_ENV,
    TINY_PNG,
    TINY_PNG_NAME,
)
from tests.support.users import bearer, client_address, register

pytestmark = pytest.mark.usefixtures("worker")

MAX_EXAMPLES = 20  # per operation and phase: the whole run stays near a minute on two cores
ROOT = Path(__file__).parents[1]  # where `tests.support.schemathesis_hooks` imports from
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")


@pytest.fixture
async def edge_with_web_app(
    auth_server: RunningService, images_server: RunningService, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[str]:
    """The edge as deployed: the built web app at `/`, so its catch-all is part of what is tested."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>pixelflow</title>")
    (dist / TINY_PNG_NAME).write_bytes(TINY_PNG)  # what URL imports fetch
    # Sign-in limits have their own tests (test_ratelimit.py); here they would only turn schemathesis'
    # wrong guesses into 429s and leave the logic behind the auth routes untested.
    generous = {"auth_rate_limit_per_minute": 100_000, "auth_failures_per_email_and_client": 100_000}
    settings = edge_settings_for(
        auth_server.address,
        redis_prefix,
        images_address=images_server.address,
        web_dist=dist,
        auth_email_slowdown_after=100_000,
        **generous,
    )
    async with serve_http(create_app(settings)) as url:
        yield url


async def _issued(http: httpx.AsyncClient, session: dict[str, str]) -> tuple[list[str], list[str]]:
    """Image ids and list cursors of a person with three images."""
    for number in range(3):
        files = {"file": (f"{number}.png", TINY_PNG, "image/png")}
        assert (await http.post("/api/images", files=files, headers=bearer(session))).status_code == 201
    ids: list[str] = []
    cursors: list[str] = []
    cursor = ""
    while True:
        page = (await http.get("/api/images", params={"limit": 1, "cursor": cursor}, headers=bearer(session))).json()
        ids += [image["id"] for image in page["items"]]
        if not (cursor := page["next_cursor"]):
            return ids, cursors
        cursors.append(cursor)


async def test_the_api_answers_as_its_schema_says(edge_with_web_app: str) -> None:
    async with httpx.AsyncClient(base_url=edge_with_web_app, headers={"X-Forwarded-For": client_address()}) as http:
        session = await register(http)
        ids, cursors = await _issued(http, session)
        created = await http.post(f"/api/images/{ids[0]}/links", json={"variant": "original"}, headers=bearer(session))
        link = created.json()["url"].removeprefix(edge_with_web_app)
    assert len(ids) == 3
    assert len(cursors) == 2
    schemathesis_address = client_address()
    command = [
        os.path.join(os.path.dirname(sys.executable), "st"),
        "run",
        f"{edge_with_web_app}/openapi.json",
        "--checks",
        "all",
        "--phases",
        ",".join(phase.lower() for phase in PHASES),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20261125",
        "--workers",
        "1",
        # An address of its own: the sign-ups and sign-ins it makes count against no other test.
        "--header",
        f"X-Forwarded-For: {schemathesis_address}",
        "--request-timeout",
        "20",
    ]
    env = os.environ | {
        "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks",
        EDGE_URL_ENV: edge_with_web_app,
        # Not schemathesis' address, which its wrong passwords lock out of signing in.
        SIGN_OUT_ADDRESS_ENV: client_address(),
        ACCESS_TOKEN_ENV: session["access_token"],
        ISSUED_CURSORS_ENV: ",".join(cursors),
        IMAGE_IDS_ENV: ",".join(ids),
        ISSUED_LINKS_ENV: link,
    }
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=Path(__file__).parents[1],
    )
    output, _ = await asyncio.wait_for(process.communicate(), 400)
    text = output.decode()
    assert process.returncode == 0, text[-6000:]
    assert "No issues found" in text, text[-4000:]
    assert "WARNINGS" not in text, text[-4000:]
    operations = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", text)
    assert operations, text[-2000:]
    assert operations.group(1) == operations.group(2) == operations.group(3), text[-2000:]
    assert int(operations.group(3)) >= 12
    for phase in PHASES:
        assert re.search(rf"✅ {phase}\b", text), (phase, text[-3000:])
    cases = re.search(r"Test cases:\s+(\d+) generated, (\d+) passed", text)
    assert cases, text[-2000:]
    assert cases.group(1) == cases.group(2), text[-2000:]
    assert int(cases.group(1)) >= 300


async def test_the_image_routes_document_one_image_schema(edge_with_web_app: str) -> None:
    async with httpx.AsyncClient(base_url=edge_with_web_app) as http:
        document = (await http.get("/openapi.json")).json()
    image = document["components"]["schemas"]["PublicImage"]
    assert (
        set(image["properties"])
        == set(image["required"])
        == {
            *("id", "original_name", "status", "content_type", "width", "height", "size_bytes"),
            *("optimized_size_bytes", "uploaded_at", "processed_at", "error", "optimized_url", "downscaled"),
            *("options", "optimized_content_type", "optimized_format"),
            *("placeholder", "original_has_location", "variants"),
        }
    )
    assert image["properties"]["status"]["enum"] == ["queued", "processing", "done", "failed"]

    def answer(path: str, method: str, status: str) -> object:
        content = document["paths"][path][method]["responses"][status]["content"]
        return content["application/json"]["schema"]

    reference = {"$ref": "#/components/schemas/PublicImage"}
    assert answer("/api/images", "post", "201") == reference
    assert answer("/api/images/latest", "get", "200") == reference
    assert answer("/api/images/{image_id}", "get", "200") == reference
    assert answer("/api/images/{image_id}/conversions", "post", "201") == reference
    assert answer("/api/images", "get", "200") == {"$ref": "#/components/schemas/ImagePage"}
    page = document["components"]["schemas"]["ImagePage"]["properties"]["items"]
    assert page["items"] == reference


async def test_api_routes_answer_for_themselves_beside_the_web_app(edge_with_web_app: str) -> None:
    """The web app's catch-all does not speak for /api: a wrong method names the route's own methods."""
    async with httpx.AsyncClient(base_url=edge_with_web_app) as http:
        for path, allowed in (("/api/auth/login", "POST"), ("/api/images", "GET, POST")):
            response = await http.options(path)
            assert response.status_code == 405
            assert response.headers["allow"] == allowed
            assert response.json() == {"detail": "Method Not Allowed"}
        # HEAD is not served by the API's routes: the 405 must not list it as allowed either.
        for path in ("/api/images", "/api/images/00000000-0000-0000-0000-000000000000/variants/thumbnail"):
            response = await http.head(path)
            assert response.status_code == 405
            assert "HEAD" not in response.headers["allow"].split(", "), path
        assert (await http.get("/some/client/route")).headers["content-type"].startswith("text/html")


async def test_a_json_body_that_is_not_utf8_is_422(edge_with_web_app: str) -> None:
    async with httpx.AsyncClient(base_url=edge_with_web_app, headers={"X-Forwarded-For": client_address()}) as http:
        for path in ("/api/auth/login", "/api/auth/register", "/api/auth/refresh"):
            response = await http.post(
                path, content=b'{"email": "\xff\xfe"}', headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 422, (path, response.text)
            assert response.json()["detail"][0]["msg"] == "the body is not UTF-8 encoded JSON"
