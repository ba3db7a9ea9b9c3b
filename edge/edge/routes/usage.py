"""`/api/usage`: the bytes the person holds in storage, against their quota (kept by svc_images)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from edge.deps import BackendsDep, BearerDep, SettingsDep
from pixelflow.images.v1 import images_pb2

router = APIRouter(prefix="/api/usage", tags=["usage"])


class UsageOut(BaseModel):
    used_bytes: int = Field(
        description="originals and optimized results; may pass the quota, as results are never refused"
    )
    quota_bytes: int = Field(description="uploads are refused (413) once nothing of it is left")


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Unauthenticated"},
    503: {"description": "The images service is unavailable"},
}


@router.get("", responses=_ERRORS)
async def usage(backends: BackendsDep, settings: SettingsDep, bearer: BearerDep) -> UsageOut:
    reply = await backends.images.GetUsage(
        images_pb2.GetUsageRequest(), metadata=bearer, timeout=settings.grpc_timeout_seconds
    )
    return UsageOut(used_bytes=reply.used_bytes, quota_bytes=reply.quota_bytes)
