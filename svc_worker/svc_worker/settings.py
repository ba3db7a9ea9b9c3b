from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pixelflow.settings import is_default_secret
from pixelflow.storage import S3Settings

DEV_INTERNAL_TOKEN = "pixelflow-dev-internal-token"


class WorkerSettings(S3Settings):
    """svc_worker's settings, from `PIXELFLOW_WORKER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PIXELFLOW_WORKER_")

    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis of the SAQ queue and Socket.IO")
    redis_prefix: str = Field("pixelflow", min_length=1, description="namespace shared with the edge")
    queue_name: str = Field("pixelflow-images", description="SAQ queue name (shared with svc_images)")
    images_address: str = Field("127.0.0.1:50052", description="svc_images gRPC address")
    internal_token: SecretStr = Field(
        SecretStr(DEV_INTERNAL_TOKEN), description="credential for svc_images' ImageProcessing methods"
    )
    concurrency: int = Field(2, ge=1, description="conversions at once per worker process")
    vips_concurrency: int = Field(1, ge=0, description="libvips threads per conversion (0: one per core)")
    max_pixels: int = Field(100_000_000, ge=1, description="largest converted width × height (× frames)")
    grpc_timeout_seconds: float = Field(10.0, gt=0, description="deadline of each call to svc_images")
    shutdown_grace_seconds: int = Field(30, ge=0, description="how long running conversions may finish on SIGTERM")
    work_dir: Path | None = Field(None, description="where originals are staged during a conversion")

    def unsafe_defaults(self) -> list[str]:
        unsafe = super().unsafe_defaults()
        if is_default_secret(self.internal_token, DEV_INTERNAL_TOKEN):
            unsafe.append("PIXELFLOW_WORKER_INTERNAL_TOKEN")
        return unsafe
