"""What the backup reads: both databases, the bucket, and where the copies go (`PIXELFLOW_BACKUP_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pixelflow.media.storage import S3Settings


class BackupSettings(S3Settings):
    """The backup's settings, from `PIXELFLOW_BACKUP_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PIXELFLOW_BACKUP_")

    auth_database_url: str = Field(
        "postgres://postgres@127.0.0.1:5432/pixelflow_auth", description="svc_auth's PostgreSQL, dumped and restored"
    )
    images_database_url: str = Field(
        "postgres://postgres@127.0.0.1:5432/pixelflow_images",
        description="svc_images' PostgreSQL, dumped and restored",
    )
    dir: Path = Field(Path(".data/backup"), description="where backups are written and restored from")
    keep: int = Field(7, ge=1, description="database dumps kept (objects are kept as long as the directory)")
    pg_bin_dir: Path | None = Field(
        None, description="directory of pg_dump and pg_restore (unset: the first whose version fits the server)"
    )
