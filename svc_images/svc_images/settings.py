from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from pixelflow.media.processing_settings import ProcessingSettings
from pixelflow.media.storage import S3Settings
from pixelflow.runtime.server import GrpcServerSettings
from pixelflow.runtime.sessions import SessionStoreSettings
from svc_images.cursors import cursor_key
from svc_images.fetch.settings import FetchSettings
from svc_images.links import LinkPolicy, link_key


class ImagesSettings(GrpcServerSettings, S3Settings, SessionStoreSettings, ProcessingSettings, FetchSettings):
    """svc_images' settings, from `PIXELFLOW_IMAGES_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PIXELFLOW_IMAGES_")

    port: int = Field(50052, ge=0, le=65535, description="gRPC port")
    metrics_port: int = Field(9103, ge=0, le=65535, description="Prometheus `/metrics` port (0: off)")
    database_url: str = Field(
        "postgres://postgres@127.0.0.1:5432/pixelflow_images", description="PostgreSQL of the images table"
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis of the SAQ queue, ended sessions and live events"
    )
    auth_address: str = Field("127.0.0.1:50051", description="svc_auth gRPC address, for its public keys")
    cursor_secret: SecretStr | None = Field(
        None, description="HMAC secret signing list cursors (unset: derived from the internal token)"
    )
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1, description="largest accepted original")
    probe_bytes: int = Field(1024 * 1024, ge=4096, description="bytes kept to read the image header from")
    max_jpeg_scans: int = Field(100, ge=1, description="most JPEG scans accepted (a progressive one has ~10)")
    max_jpeg_segments: int = Field(
        4096, ge=16, description="most JPEG segments walked to a frame header past the probe (metadata: ~100)"
    )
    late_header_read_bytes: int = Field(
        64 * 1024, ge=4096, description="size of one ranged read of a stored TIFF/HEIF whose header is past the probe"
    )
    late_header_max_reads: int = Field(
        64, ge=1, description="most ranged reads to find such a header (a multi-page TIFF: one per page)"
    )
    late_header_timeout_seconds: float = Field(30.0, gt=0, description="longest all reads of such a header may take")
    refused_upload_drain_seconds: float = Field(
        10.0, ge=0, description="longest a refused upload's remaining bytes are read so its client hears why"
    )
    incomplete_upload_days: int = Field(
        1, ge=1, description="days after which S3 aborts an unfinished multipart upload of an original"
    )
    job_timeout_seconds: int = Field(120, ge=1, description="SAQ timeout of one conversion")
    job_attempts: int = Field(3, ge=1, description="SAQ attempts of one conversion (transient failures)")
    reconcile_interval_seconds: float = Field(30.0, gt=0, description="how often stuck images are looked for")
    metrics_refresh_seconds: float = Field(
        15.0, gt=0, description="how often the images-by-status and queue gauges are recounted"
    )
    reconcile_after_seconds: float = Field(300.0, gt=0, description="queued/processing this long counts as stuck")
    webp_quality: int = Field(80, ge=1, le=100, description="WebP quality of the `optimized` output")
    webp_effort: int = Field(
        4, ge=0, le=6, description="WebP encoder effort (libwebp method) of the `optimized` output: speed vs size"
    )
    variant_widths: list[int] = Field(
        [320, 640, 1280, 2048],
        description="widths of the responsive WebP variants (JSON list); each made only for images wider than it",
    )
    variant_webp_effort: int = Field(
        2,
        ge=0,
        le=6,
        description="WebP encoder effort of the thumbnail and widths (2: half the time of 4 for ~4% more bytes)",
    )
    thumbnail_size: int = Field(128, ge=16, le=1024, description="side of the square WebP thumbnail (centre crop)")
    backfill_interval_seconds: float = Field(
        10.0, gt=0, description="how often done images lacking variants are looked for (the backfill)"
    )
    backfill_batch: int = Field(
        4, ge=0, description="most backfill jobs queued at once, only while no conversion waits (0: no backfill)"
    )
    quota_bytes: int = Field(
        1_000_000_000, ge=1, description="storage quota per account: its originals and results, in S3 bytes"
    )
    quota_hold_seconds: float = Field(
        3600.0, gt=0, description="longest an upload in flight holds room in its account's quota"
    )
    link_secret: SecretStr | None = Field(
        None, description="HMAC secret signing temporary links (unset: derived from the internal token)"
    )
    link_default_seconds: int = Field(3600, ge=1, description="lifetime of a temporary link when none is asked")
    link_min_seconds: int = Field(60, ge=1, description="shortest lifetime a temporary link may be asked for")
    link_max_seconds: int = Field(7 * 24 * 3600, ge=1, description="longest lifetime a temporary link may be asked for")
    link_window_seconds: int = Field(
        300,
        ge=1,
        description="expiries round up to a multiple of this: the same link within it (a link lives up to this longer)",
    )
    event_timeout_seconds: float = Field(
        2.0, gt=0, description="longest publishing one live event may take (a lost event is only logged)"
    )
    deletion_inline_timeout_seconds: float = Field(
        2.0, gt=0, description="how long a deletion waits for S3 to remove its objects before leaving them to the sweep"
    )
    deletion_sweep_interval_seconds: float = Field(
        30.0, gt=0, description="how often objects S3 could not remove at deletion are tried again"
    )
    deletion_batch_size: int = Field(100, ge=1, description="images deleted, or objects swept, per transaction")
    export_page_size: int = Field(100, ge=1, le=1000, description="image rows read per query while exporting")

    @field_validator("variant_widths")
    @classmethod
    def _widths(cls, widths: list[int]) -> list[int]:
        if any(not 16 <= width <= 16383 for width in widths) or len(set(widths)) != len(widths):
            raise ValueError("variant widths must be distinct, from 16 to 16383 pixels")
        return sorted(widths)

    @property
    def cursor_key(self) -> bytes:
        secret = self.cursor_secret or self.internal_token
        return cursor_key(secret.get_secret_value())

    @property
    def link_key(self) -> bytes:
        secret = self.link_secret or self.internal_token
        return link_key(secret.get_secret_value())

    @property
    def link_policy(self) -> LinkPolicy:
        return LinkPolicy(
            key=self.link_key,
            default_seconds=self.link_default_seconds,
            min_seconds=self.link_min_seconds,
            max_seconds=self.link_max_seconds,
            window_seconds=self.link_window_seconds,
        )
