from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pixelflow.media.processing_settings import ProcessingSettings
from pixelflow.media.storage import S3Settings
from pixelflow.runtime.metrics import MetricsSettings


class WorkerSettings(S3Settings, ProcessingSettings, MetricsSettings):
    """svc_worker's settings, from `PIXELFLOW_WORKER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PIXELFLOW_WORKER_")

    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis of the SAQ queue")
    metrics_port: int = Field(9104, ge=0, le=65535, description="Prometheus `/metrics` port (0: off)")
    images_address: str = Field("127.0.0.1:50052", description="svc_images gRPC address")
    concurrency: int = Field(2, ge=1, description="conversions at once per worker process")
    vips_concurrency: int = Field(1, ge=0, description="libvips threads per conversion (0: one per core)")
    grpc_timeout_seconds: float = Field(10.0, gt=0, description="deadline of each call to svc_images")
    shutdown_grace_seconds: int = Field(30, ge=0, description="how long running conversions may finish on SIGTERM")
    work_dir: Path | None = Field(None, description="where originals are staged during a conversion")
