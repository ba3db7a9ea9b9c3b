from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pixelflow.runtime.metrics import MetricsSettings
from pixelflow.runtime.sessions import SessionStoreSettings


class EdgeSettings(SessionStoreSettings, MetricsSettings):
    """The edge's settings, from `PIXELFLOW_EDGE_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PIXELFLOW_EDGE_")

    host: str = Field("127.0.0.1", description="HTTP listen address")
    port: int = Field(8000, ge=0, le=65535, description="HTTP port")
    metrics_port: int = Field(9101, ge=0, le=65535, description="Prometheus `/metrics` port (0: off)")
    auth_address: str = Field("127.0.0.1:50051", description="svc_auth gRPC address")
    images_address: str = Field("127.0.0.1:50052", description="svc_images gRPC address")
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis for rate limits and Socket.IO rooms")
    redis_prefix: str = Field("pixelflow", min_length=1, description="namespace of every Redis key")
    auth_rate_limit_per_minute: int = Field(
        10, ge=1, description="failed sign-ins, and registrations, per client per rate window"
    )
    auth_rate_window_seconds: int = Field(60, ge=1, description="window of the per-client sign-in limits")
    auth_failures_per_email_and_client: int = Field(
        5, ge=1, description="failed sign-ins per email from one client per rate window"
    )
    auth_email_slowdown_after: int = Field(
        10, ge=1, description="failures on one email (all clients) before clients that failed must wait"
    )
    auth_email_window_seconds: int = Field(900, ge=1, description="window of the per-email failure count")
    auth_email_first_delay_seconds: float = Field(
        1.0, gt=0, description="first wait on a hammered email; doubles with each further failure"
    )
    auth_email_max_delay_seconds: float = Field(60.0, gt=0, description="longest wait on a hammered email")
    ipv6_client_prefix: int = Field(64, ge=16, le=128, description="IPv6 clients are limited per network of this size")
    upload_timeout_seconds: float = Field(600.0, gt=0, description="deadline of one streamed upload")
    export_timeout_seconds: float = Field(
        6 * 3600.0, gt=0, description="deadline of one export download (every image of an account)"
    )
    grpc_timeout_seconds: float = Field(
        10.0, gt=0, description="deadline of each gRPC call (also how long a restarting backend is waited for)"
    )
    readiness_timeout_seconds: float = Field(1.0, gt=0, description="deadline of each /readyz health check")
    max_json_body_bytes: int = Field(
        64 * 1024, ge=1024, description="largest body of every route but the upload, whatever its type (else 413)"
    )
    # gRPC refuses metadata past 16 KiB (RESOURCE_EXHAUSTED, which would read as a rate limit): our
    # tokens are under 1 KiB, so anything much longer is refused as malformed before it is forwarded.
    max_bearer_token_chars: int = Field(
        4096, ge=1024, le=8192, description="longest bearer token forwarded to the services (else 401)"
    )
    max_upload_body_bytes: int = Field(
        50 * 1024 * 1024 + 64 * 1024,
        ge=1024,
        description="largest upload request body: svc_images' max_upload_bytes plus room for the form (else 413)",
    )
    upload_max_parts: int = Field(
        8, ge=1, description="most parts of an upload's multipart form (the file and up to six option fields)"
    )
    upload_max_bytes_before_file: int = Field(
        64 * 1024, ge=256, description="most bytes of an upload's form before the file's bytes begin"
    )
    upload_max_part_header_bytes: int = Field(
        16 * 1024, ge=256, description="most header bytes of one part of an upload's form"
    )
    upload_max_framing_bytes: int = Field(
        1024, ge=128, description="most bytes of an upload's form before its first part and after the file part"
    )
    upload_form_deadline_seconds: float = Field(
        10.0, gt=0, description="deadline for an upload's form to reach the file's bytes"
    )
    batch_max_files: int = Field(100, ge=1, le=10000, description="most `file` parts of one batch upload")
    max_batch_body_bytes: int = Field(
        5 * 1024 * 1024 * 1024,
        ge=1024,
        description="largest batch upload request body (every file and the form; else 413)",
    )
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS (JSON list)")
    forwarded_allow_ips: str = Field("127.0.0.1", description="proxies whose X-Forwarded-For is trusted")
    link_default_seconds: int = Field(3600, ge=1, description="lifetime of a temporary link when none is asked")
    link_min_seconds: int = Field(60, ge=1, description="shortest lifetime a temporary link may be asked for")
    link_max_seconds: int = Field(
        7 * 24 * 3600, ge=1, description="longest lifetime a temporary link may be asked for (within svc_images' own)"
    )
    public_url: str = Field(
        "",
        pattern=r"^(https?://[^/?#\s]+)?$",
        description="origin temporary links are made for, e.g. https://photos.example (empty: each request's own)",
    )
    web_dist: Path = Field(Path("web/dist"), description="the built web app served at /")
