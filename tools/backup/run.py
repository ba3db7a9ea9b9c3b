"""One backup: the databases first, then the objects; a set counts once both are done.

Order matters: an object written after the dump is only unreferenced (swept later), while an object
the dumped rows reference was stored before its row, so it is in the bucket when the copy lists it.
svc_images is dumped before svc_auth, so every image's owner is in the auth dump.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pixelflow.media.storage import s3_client
from tools.backup import objects, postgres
from tools.backup.settings import BackupSettings

log = logging.getLogger("pixelflow.backup")

DATABASES = ("images", "auth")  # in dump order
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BackupResult:
    set_dir: Path
    objects: objects.Counts


def _urls(settings: BackupSettings) -> dict[str, str]:
    return {"images": settings.images_database_url, "auth": settings.auth_database_url}


def complete_sets(root: Path) -> list[Path]:
    """The finished database sets, oldest first (a set in progress ends in `.partial`)."""
    sets = root / "databases"
    if not sets.is_dir():
        return []
    return sorted(path for path in sets.iterdir() if path.is_dir() and (path / MANIFEST).is_file())


async def backup(settings: BackupSettings) -> BackupResult:
    root = settings.dir
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    partial = root / "databases" / f"{stamp}.partial"
    partial.mkdir(parents=True)
    servers: dict[str, int] = {}
    dumped_with: dict[str, int] = {}  # pg_restore reads only archives of its own version or older
    for name in DATABASES:
        url = _urls(settings)[name]
        servers[name] = await postgres.server_major(url)
        bin_dir = await postgres.client_for(servers[name], settings.pg_bin_dir)
        dumped_with[name] = await postgres.client_major(bin_dir)
        await postgres.dump(url, partial / f"{name}.dump", bin_dir=bin_dir)
        log.info("dumped the %s database with %s", name, bin_dir)
    client = s3_client(settings)
    try:
        counts = await objects.copy_bucket(client, settings.s3_bucket, root)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]
    manifest = {"created": stamp, "server_major": servers, "pg_dump_major": dumped_with, "objects": asdict(counts)}
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2))
    done = partial.with_name(stamp)
    partial.rename(done)
    for old in complete_sets(root)[: -settings.keep]:
        shutil.rmtree(old)
    for abandoned in (root / "databases").glob("*.partial"):  # runs that died before their objects were copied
        if abandoned.name < partial.name:
            shutil.rmtree(abandoned)
    log.info("backup %s: %d objects copied, %d already there", stamp, counts.copied, counts.skipped)
    return BackupResult(set_dir=done, objects=counts)


async def restore(settings: BackupSettings, *, at: str | None = None) -> Path:
    """Restores the set named `at` (default: the newest), databases first, then the objects."""
    sets = complete_sets(settings.dir)
    chosen = [path for path in sets if at is None or path.name == at]
    if not chosen:
        named = f" {at}" if at else ""
        raise FileNotFoundError(f"no complete backup{named} in {settings.dir / 'databases'}")
    source = chosen[-1]
    dumped_with = json.loads((source / MANIFEST).read_text())["pg_dump_major"]
    for name in DATABASES:
        url = _urls(settings)[name]
        needed = max(await postgres.server_major(url), int(dumped_with[name]))
        bin_dir = await postgres.client_for(needed, settings.pg_bin_dir)
        await postgres.restore(url, source / f"{name}.dump", bin_dir=bin_dir)
        log.info("restored the %s database from %s", name, source.name)
    client = s3_client(settings)
    try:
        counts = await objects.restore_bucket(client, settings.s3_bucket, settings.dir)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]
    log.info("restored %d objects (%d were there)", counts.copied, counts.skipped)
    return source
