"""What the bucket holds besides objects: the multipart uploads nobody finished."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from pixelflow.media.storage import S3Settings

S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"


async def incomplete_uploads(settings: S3Settings, prefix: str) -> list[str]:
    """Keys under `prefix` with a multipart upload still open (moto answers this listing unsigned)."""
    url = f"http://{settings.s3_endpoint}/{settings.s3_bucket}"
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url, params={"uploads": "", "prefix": prefix})
    response.raise_for_status()
    root = ET.fromstring(response.content)  # noqa: S314 - the local test S3 endpoint
    return [key.text or "" for key in root.iter(f"{S3_NAMESPACE}Key")]
