"""The object store against a real S3 endpoint: what the worker relies on when it reads an original."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from miniopy_async.error import S3Error

from pixelflow.media.storage import ObjectStore, s3_client
from pixelflow.runtime.testing import RunningService
from svc_images.settings import ImagesSettings
from tests.support.images import GARDEN_PNG, Listener, upload
from tests.support.users import bearer


async def test_a_download_streams_the_object_and_a_missing_one_is_no_such_key(
    images_settings: ImagesSettings, images_server: RunningService, tmp_path: Path
) -> None:
    store = ObjectStore(s3_client(images_settings), images_settings.s3_bucket)
    try:
        key = f"test-storage/{uuid.uuid4()}"
        # More than one download chunk, and not a multiple of it.
        data = uuid.uuid4().bytes * 40_000
        await store.put_stream(key, io.BytesIO(data), content_type="application/octet-stream")
        await store.download_file(key, str(tmp_path / "copy"))
        assert (tmp_path / "copy").read_bytes() == data

        with pytest.raises(S3Error) as missing:
            await store.download_file(f"test-storage/{uuid.uuid4()}", str(tmp_path / "nothing"))
        assert missing.value.code == "NoSuchKey"
        await store.remove_quietly(key)
        assert not await store.exists(key)
    finally:
        await store.close()


@pytest.mark.usefixtures("worker")
async def test_an_optimized_file_missing_from_storage_is_a_404_not_a_retry(
    images_settings: ImagesSettings, http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    """An object gone from the bucket (deleted by hand, a bucket restored from an older copy) does not
    come back when the client retries: it is named, not reported as S3 being down."""
    image = (await upload(http, owner, GARDEN_PNG.read_bytes(), filename="garden.png")).json()
    done = await listener.wait_for(image["id"], "done")
    store = ObjectStore(s3_client(images_settings), images_settings.s3_bucket)
    try:
        await store.client.remove_object(store.bucket, f"outputs/{owner['user']['id']}/{image['id']}/optimized.webp")
    finally:
        await store.close()
    response = await http.get(done["optimized_url"], headers=bearer(owner))
    assert response.status_code == 404, response.text
    assert response.json() == {"detail": "the optimized file of this image is missing from storage"}
