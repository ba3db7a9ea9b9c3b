from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pixelflow.runtime.server import GrpcServerSettings
from pixelflow.runtime.sessions import SessionStoreSettings


class AuthSettings(GrpcServerSettings, SessionStoreSettings):
    """svc_auth's settings, from `PIXELFLOW_AUTH_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PIXELFLOW_AUTH_")

    port: int = Field(50051, ge=0, le=65535, description="gRPC port")
    metrics_port: int = Field(9102, ge=0, le=65535, description="Prometheus `/metrics` port (0: off)")
    database_url: str = Field(
        "postgres://postgres@127.0.0.1:5432/pixelflow_auth", description="PostgreSQL of users and refresh tokens"
    )
    private_key: SecretStr | None = Field(None, description="Ed25519 private key, PEM (PKCS#8)")
    private_key_file: Path | None = Field(None, description="file holding the PEM key (a mounted secret)")
    data_dir: Path = Field(Path(".data/auth"), description="where development generates its key")
    access_token_ttl_seconds: int = Field(15 * 60, ge=30, description="access token lifetime")
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, ge=60, description="refresh token lifetime")
    argon2_memory_kib: int = Field(64 * 1024, ge=1024, description="argon2id memory cost")
    argon2_time_cost: int = Field(3, ge=1, description="argon2id passes")
    argon2_parallelism: int = Field(4, ge=1, description="argon2id lanes")
    # Prometheus scrapes these; the public port never serves /metrics.

    def unsafe_defaults(self) -> list[str]:
        if self.private_key is None and self.private_key_file is None:
            return ["PIXELFLOW_AUTH_PRIVATE_KEY or PIXELFLOW_AUTH_PRIVATE_KEY_FILE (a generated key)"]
        return []
