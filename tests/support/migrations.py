"""A database as an earlier release left it, for the tests that migrate one and read it back."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pixelflow.runtime.database import Migrations, drop_database
from tests.conftest import POSTGRES, RUN_ID
from tools import embedded


@asynccontextmanager
async def previous_release(migrations: Migrations, tmp_path: Path, *, name: str, last: int) -> AsyncIterator[str]:
    """A database of its own migrated through migration number `last` only (on the embedded server
    when the run uses one, a Unix socket); dropped afterwards."""
    previous = Migrations(app=migrations.app, models=migrations.models, location=tmp_path)
    (tmp_path / migrations.app).mkdir()
    for migration in sorted((migrations.location / migrations.app).glob("*.py")):
        if int(migration.name.split("_", 1)[0]) <= last:
            shutil.copy(migration, tmp_path / migrations.app)
    url = embedded.database_url(POSTGRES, f"pixelflow_test_{RUN_ID}_{name}")
    try:
        assert len(await previous.upgrade(url)) == last + 1
        yield url
    finally:
        await drop_database(url)


async def upgrade(migrations: Migrations, url: str) -> list[str]:
    """The numbers of the migrations that bring `url` up to date."""
    return [Path(name).name.split("_", 1)[0] for name in await migrations.upgrade(url)]
