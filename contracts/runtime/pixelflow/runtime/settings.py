"""The settings base every service's own pydantic-settings class derives from."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pixelflow.runtime.logs import LogFormat


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class UnsafeSettings(ValueError):
    pass


class PixelflowSettings(BaseSettings):
    """Read once in a service's `main` and passed down; nothing else reads the environment.

    Subclasses set their own `env_prefix` (`PIXELFLOW_AUTH_`, ...). The fields here are shared by
    every process and keep one name: `PIXELFLOW_ENV`, `PIXELFLOW_LOG_LEVEL` and `PIXELFLOW_LOG_FORMAT`.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_file=None)

    environment: Environment = Field(
        Environment.DEVELOPMENT,
        validation_alias="PIXELFLOW_ENV",
        description="development, test or production (production refuses unsafe defaults)",
    )
    log_level: str = Field("INFO", validation_alias="PIXELFLOW_LOG_LEVEL", description="DEBUG, INFO, WARNING or ERROR")
    trace_sample_ratio: float = Field(
        0.1,
        ge=0,
        le=1,
        validation_alias="PIXELFLOW_TRACE_SAMPLE_RATIO",
        description="share of new traces kept when OTEL_* turns tracing on (a sampled caller is always followed)",
    )
    log_format: LogFormat = Field(
        LogFormat.TEXT,
        validation_alias="PIXELFLOW_LOG_FORMAT",
        description="text (one readable line) or json (one object per line, with trace and image ids)",
    )

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def unsafe_defaults(self) -> list[str]:
        """Names the settings whose development defaults must not reach production."""
        return []

    @model_validator(mode="after")
    def _refuse_unsafe_defaults_in_production(self) -> Self:
        if self.is_production and (unsafe := self.unsafe_defaults()):
            raise UnsafeSettings(f"refusing development defaults in production for: {', '.join(unsafe)}")
        return self


def is_default_secret(value: SecretStr | None, default: str) -> bool:
    return value is None or value.get_secret_value() in ("", default)
