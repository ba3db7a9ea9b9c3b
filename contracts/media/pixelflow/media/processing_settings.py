"""What svc_images and svc_worker must agree on, declared once and mixed into both settings classes:
the queue between them, the credential the worker presents, and the largest image either handles."""

from __future__ import annotations

from pydantic import Field, SecretStr

from pixelflow.processing_queue import QUEUE_NAME
from pixelflow.runtime.settings import PixelflowSettings, is_default_secret
from pixelflow.tokens import DEV_INTERNAL_TOKEN


class ProcessingSettings(PixelflowSettings):
    queue_name: str = Field(QUEUE_NAME, description="SAQ queue name (the same in svc_images and svc_worker)")
    internal_token: SecretStr = Field(
        SecretStr(DEV_INTERNAL_TOKEN), description="credential svc_worker presents to svc_images' ImageProcessing"
    )
    max_pixels: int = Field(100_000_000, ge=1, description="largest accepted and converted width × height (× frames)")

    def unsafe_defaults(self) -> list[str]:
        unsafe = super().unsafe_defaults()
        if is_default_secret(self.internal_token, DEV_INTERNAL_TOKEN):
            unsafe.append(f"{self.model_config.get('env_prefix', '')}INTERNAL_TOKEN")
        return unsafe
