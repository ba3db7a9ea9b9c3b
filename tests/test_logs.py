"""`PIXELFLOW_LOG_FORMAT=json`: every line a process writes is one JSON object with the fields a collector indexes."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pixelflow.runtime.logs import LogFormat, configure_logging, image_in_context, request_id_var
from pixelflow.runtime.testing import free_port
from tests.conftest import REDIS_URL


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.usefixtures("restored_logging")
def test_a_json_line_carries_service_request_image_and_exception(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("images", "INFO", LogFormat.JSON)
    token = request_id_var.set("req-42")
    try:
        with image_in_context("0b5c6a1e-0000-4000-8000-000000000001"):
            try:
                raise ValueError("broken header")
            except ValueError:
                logging.getLogger("svc_images.uploads").exception("refused %s", "upload")
        logging.getLogger("svc_images.uploads").warning("line with\nnewline")
    finally:
        request_id_var.reset(token)
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["service"] == "images"
    assert first["level"] == "ERROR"
    assert first["logger"] == "svc_images.uploads"
    assert first["message"] == "refused upload"
    assert first["request_id"] == "req-42"
    assert first["image_id"] == "0b5c6a1e-0000-4000-8000-000000000001"
    assert "ValueError: broken header" in first["exception"]
    assert first["timestamp"].endswith("+00:00")
    assert "image_id" not in second
    assert second["message"] == "line with\nnewline"


@pytest.mark.usefixtures("restored_logging")
def test_text_stays_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("auth")
    logging.getLogger("svc_auth").info("hello")
    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO auth [-] svc_auth: hello")


async def test_the_edge_process_and_its_access_log_write_json(redis_prefix: str, tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "edge.log"
    env = os.environ | {
        "PIXELFLOW_ENV": "test",
        "PIXELFLOW_LOG_FORMAT": "json",
        "PIXELFLOW_EDGE_HOST": "127.0.0.1",
        "PIXELFLOW_EDGE_PORT": str(port),
        "PIXELFLOW_EDGE_METRICS_PORT": "0",  # 9101 may be a running `make dev`'s
        "PIXELFLOW_EDGE_REDIS_URL": REDIS_URL,
        "PIXELFLOW_EDGE_REDIS_PREFIX": redis_prefix,
        "PIXELFLOW_EDGE_WEB_DIST": str(tmp_path / "no-web-app"),
    }
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "edge", env=env, stderr=log, stdout=log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            response = await _first_answer(client, "/healthz", headers={"X-Request-Id": "probe-1"})
            assert response.status_code == 200
            # A link's signature is its secret: it must not reach the access log (refused here, 422,
            # before any backend is asked; the line is written all the same).
            link = "/api/links/0b5c6a1e-0000-4000-8000-000000000001/thumbnail?expires=1&signature=SeCrEtSiGnAtUrE"
            assert (await client.get(link)).status_code == 422
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    entries: list[dict[str, Any]] = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert entries, "the edge wrote nothing"
    assert {entry["service"] for entry in entries} == {"edge"}
    access = [entry for entry in entries if entry["logger"] == "uvicorn.access"]
    assert [entry["request_id"] for entry in access if "GET /healthz" in entry["message"]] == ["probe-1"], access
    assert "SeCrEtSiGnAtUrE" not in log_path.read_text()
    links = [entry["message"].split(" - ", 1)[1] for entry in access if "/api/links/" in entry["message"]]
    assert links == [f'"GET {link.replace("SeCrEtSiGnAtUrE", "[redacted]")} HTTP/1.1" 422'], access


async def _first_answer(client: httpx.AsyncClient, path: str, *, headers: dict[str, str]) -> httpx.Response:
    """The process may take a while to import on a busy machine: ask until it answers (bounded)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        try:
            return await client.get(path, headers=headers)
        except httpx.TransportError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)
