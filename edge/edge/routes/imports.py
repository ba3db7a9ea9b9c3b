"""`POST /api/images/from-url`: svc_images fetches the image and stores it like an upload.

The edge only forwards the URL. svc_images holds the upload path (sniffing, limits, quota, queue),
and keeping outbound connections out of the edge means the process facing the internet never
opens connections on a client's behalf.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from edge.deps import BackendsDep, BearerDep, SettingsDep
from pixelflow.images.v1 import images_pb2
from pixelflow.public import PublicImage

IMPORT_PATH = "/api/images/from-url"
router = APIRouter(tags=["images"])


class UrlImport(BaseModel):
    """What to import; further fields (processing options) join here."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        description="http(s) URL of the image: no credentials, public addresses only, at most 3 redirects",
    )


_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Unauthenticated"},
    413: {"description": "Over the storage quota"},
    422: {"description": "Refused, unreachable or failing URL, or not a supported image: nothing is stored"},
}


@router.post(IMPORT_PATH, status_code=status.HTTP_201_CREATED, response_model=PublicImage, responses=_RESPONSES)
async def import_from_url(body: UrlImport, backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> Any:
    """Fetches the image at `url` and treats it exactly like an upload (same checks, quota and queue)."""
    image = await backends.images.ImportFromUrl(
        images_pb2.ImportFromUrlRequest(url=body.url), metadata=bearer, timeout=settings.upload_timeout_seconds
    )
    return PublicImage.from_message(image)
