"""`pg_dump` and `pg_restore` of a version that can read the server.

pg_dump refuses a server newer than itself, and pg_restore an archive written by a newer pg_dump. The
machine may have several: the system's (Debian 12: 15), other installed majors, and pgserver's (16, the
embedded PostgreSQL of `make dev`). The one used for a server is the oldest whose major is at least the
server's, and restore uses the same directory.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from pixelflow.runtime.database import create_database


class PostgresClientMissing(RuntimeError):
    pass


async def server_major(url: str) -> int:
    """The major version of the server `url` is on (asked through its `postgres` database, so a
    database that a restore is about to create need not exist)."""
    connection = await asyncpg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    try:
        number = int(await connection.fetchval("SHOW server_version_num"))
    finally:
        await connection.close()
    return number // 10000


def candidate_dirs() -> list[Path]:
    """Every directory that may hold pg_dump, most preferred first."""
    found: list[Path] = []
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    spec = importlib.util.find_spec("pgserver")  # found, not imported: its import has side effects
    if spec is not None and spec.origin is not None:
        found.append(Path(spec.origin).parent / "pginstall" / "bin")
    return [path for path in dict.fromkeys(found) if (path / "pg_dump").is_file() and (path / "pg_restore").is_file()]


async def client_major(bin_dir: Path) -> int:
    process = await asyncio.create_subprocess_exec(
        str(bin_dir / "pg_dump"), "--version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    out, _ = await process.communicate()
    match = re.search(rb"(\d+)(?:\.\d+)?", out)
    if process.returncode != 0 or match is None:
        raise PostgresClientMissing(f"{bin_dir / 'pg_dump'} --version failed")
    return int(match.group(1))


async def client_for(server: int, configured: Path | None) -> Path:
    """The directory of the pg_dump to use against a server of major version `server`."""
    dirs = [configured] if configured is not None else candidate_dirs()
    majors = {path: await client_major(path) for path in dirs}
    fitting = sorted((major, str(path)) for path, major in majors.items() if major >= server)
    if not fitting:
        have = ", ".join(f"{path} ({major})" for path, major in majors.items()) or "none found"
        raise PostgresClientMissing(f"no pg_dump for PostgreSQL {server}: have {have}; set PIXELFLOW_BACKUP_PG_BIN_DIR")
    return Path(fitting[0][1])


async def _run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed ({process.returncode}): {(err or out).decode()[-2000:]}")


async def dump(url: str, target: Path, *, bin_dir: Path) -> None:
    """The whole database in pg_dump's custom format, written to `target` only once complete."""
    partial = target.with_suffix(".partial")
    await _run(str(bin_dir / "pg_dump"), "--format=custom", f"--dbname={url}", f"--file={partial}")
    partial.rename(target)


async def restore(url: str, source: Path, *, bin_dir: Path) -> None:
    """Creates the database when missing and replaces whatever it holds with the dump, in one transaction."""
    await create_database(url)
    await _run(
        str(bin_dir / "pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url}",
        str(source),
    )
