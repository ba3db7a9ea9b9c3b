from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pixelflow.runtime.server import GrpcServerSettings
from pixelflow.runtime.sessions import SessionStoreSettings
from pixelflow.runtime.settings import is_default_secret
from pixelflow.tokens import DEV_INTERNAL_TOKEN


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
    images_address: str = Field("127.0.0.1:50052", description="svc_images gRPC address, told of deleted accounts")
    internal_token: SecretStr = Field(
        SecretStr(DEV_INTERNAL_TOKEN), description="credential presented to svc_images (its INTERNAL_TOKEN)"
    )
    purge_interval_seconds: float = Field(
        30.0, gt=0, description="how often deleted accounts whose images are not purged yet are tried again"
    )
    purge_timeout_seconds: float = Field(60.0, gt=0, description="deadline of one purge call to svc_images")
    purge_inline_timeout_seconds: float = Field(
        5.0, gt=0, description="how long an account deletion waits for the purge before leaving it to the timer"
    )
    purge_batch_size: int = Field(20, ge=1, description="deleted accounts purged per timer run")
    purge_repeat_seconds: float = Field(
        900.0, ge=0, description="how long a deleted account is purged again (an upload in flight then lands)"
    )

    def unsafe_defaults(self) -> list[str]:
        unsafe = []
        if self.private_key is None and self.private_key_file is None:
            unsafe.append("PIXELFLOW_AUTH_PRIVATE_KEY or PIXELFLOW_AUTH_PRIVATE_KEY_FILE (a generated key)")
        if is_default_secret(self.internal_token, DEV_INTERNAL_TOKEN):
            unsafe.append("PIXELFLOW_AUTH_INTERNAL_TOKEN")
        return unsafe
