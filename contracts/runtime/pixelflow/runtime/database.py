"""The PostgreSQL dependency (Tortoise ORM) and schema migrations (aerich).

Each service owns its database. Every entrypoint call runs with the service's own Tortoise
context active, so several services can share one process (as they do in the tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sys
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aerich import Command
from prometheus_client import Gauge
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext, _current_context
from tortoise.exceptions import DBConnectionError

from pixelflow.runtime.service import Dependency, Service

DB_POOL_IN_USE = Gauge(
    "pixelflow_db_pool_connections_in_use", "database connections lent out of the pool", ["database"]
)

log = logging.getLogger(__name__)

T = TypeVar("T")


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Replaces asyncpg's reset on release (`RESET ALL; UNLISTEN *; ...`, a round trip per query).

    The services set no session state, hold no advisory locks and never LISTEN; asyncpg still rolls
    back a transaction left open before this runs.
    """


def _connection(url: str) -> dict[str, Any]:
    connection = expand_db_url(url)
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["reset"] = _keep_session
    return connection


def tortoise_config(url: str, *, app: str, models: list[str], migrations: bool = False) -> dict[str, Any]:
    """`migrations=True` adds aerich's own table, which only the migration commands need."""
    return {
        "connections": {"default": _connection(url)},
        "apps": {
            app: {"models": [*models, *(["aerich.models"] if migrations else [])], "default_connection": "default"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


class Database(Dependency[TortoiseContext]):
    """`settings.database_url` opened as a Tortoise context for `app`'s models."""

    label = "database"
    unavailable_errors = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, DBConnectionError)

    def __init__(self, *, app: str, models: list[str]) -> None:
        self.app = app
        self.models = models

    async def setup(self, service: Service) -> TortoiseContext:
        url: str = service.settings.database_url  # type: ignore[attr-defined]
        context = TortoiseContext()
        with _activated(context):
            await context.init(config=tortoise_config(url, app=self.app, models=self.models))
        DB_POOL_IN_USE.labels(self.app).set_function(lambda: _connections_in_use(context))
        return context

    async def teardown(self, value: TortoiseContext) -> None:
        with _activated(value):
            await value.close_connections()

    def call_scope(self, value: TortoiseContext) -> contextlib.AbstractContextManager[object]:
        return _activated(value)

    async def check(self, value: TortoiseContext) -> None:
        await value.db().execute_query("SELECT 1")


def _connections_in_use(context: TortoiseContext) -> float:
    # Read by a scrape, off the event loop: only the pool's counters, never a query. A context
    # closed since (a stopped service) lends nothing.
    try:
        pool: asyncpg.Pool | None = getattr(context.connections.get("default"), "_pool", None)
    except Exception:
        return 0.0
    return float(pool.get_size() - pool.get_idle_size()) if pool is not None else 0.0


@contextlib.contextmanager
def _activated(context: TortoiseContext) -> Iterator[TortoiseContext]:
    # TortoiseContext.__enter__ keeps one token per context object, which concurrent calls would
    # overwrite; a token per call keeps each call's activation its own.
    token = _current_context.set(context)
    try:
        yield context
    finally:
        _current_context.reset(token)


async def _isolated(coroutine: Coroutine[Any, Any, T]) -> T:
    # aerich initialises Tortoise's process-wide state; an empty context keeps one service's
    # migration from leaking into another's, or into a running service's own context.
    return await asyncio.create_task(coroutine, context=contextvars.Context())


async def migrate(url: str, *, app: str, models: list[str], location: Path) -> list[str]:
    """Applies the migrations under `location` that the database has not seen; returns their names."""

    async def upgrade() -> list[str]:
        command = Command(
            tortoise_config(url, app=app, models=models, migrations=True), app=app, location=str(location)
        )
        await command.init()
        try:
            return await command.upgrade(run_in_transaction=True)
        finally:
            await command.aclose()

    return await _isolated(upgrade())


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    scheme = "postgresql" if parts.scheme in ("postgres", "asyncpg") else parts.scheme
    return urlunsplit((scheme, parts.netloc, "/postgres", parts.query, "")), name


async def create_database(url: str) -> bool:
    """Creates the database `url` names unless it exists; True when it was created."""
    admin_url, name = _admin_url(url)
    connection = await asyncpg.connect(admin_url)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await connection.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await connection.close()


async def drop_database(url: str) -> None:
    admin_url, name = _admin_url(url)
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def make_migration(url: str, *, app: str, models: list[str], location: Path, name: str) -> None:
    """Writes a migration from the models' changes (the first one creates the schema)."""
    await create_database(url)

    async def write() -> None:
        command = Command(
            tortoise_config(url, app=app, models=models, migrations=True), app=app, location=str(location)
        )
        try:
            if not (location / app).exists():
                await command.init_db(safe=True)
            else:
                await command.init()
                await command.migrate(name, no_input=True)
        finally:
            await command.aclose()

    await _isolated(write())


@dataclass(frozen=True)
class Migrations:
    """A service's schema: its Tortoise app, its models and its aerich migrations folder."""

    app: str
    models: list[str]
    location: Path

    async def upgrade(self, url: str) -> list[str]:
        """Creates the database if needed and applies what it has not seen; returns what was applied."""
        await create_database(url)
        return await migrate(url, app=self.app, models=self.models, location=self.location)

    def main(self, url: str) -> None:
        """`python -m <service>.migrations [make NAME]`: apply every migration, or write a new one."""
        if sys.argv[1:2] == ["make"]:
            name = sys.argv[2] if len(sys.argv) > 2 else "update"
            asyncio.run(make_migration(url, app=self.app, models=self.models, location=self.location, name=name))
            return
        applied = asyncio.run(self.upgrade(url))
        print(f"{self.app}: applied {len(applied)} migration(s) {applied}")
