"""The object store against a real S3 endpoint: what the worker relies on when it reads an original."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from miniopy_async.error import S3Error

from pixelflow.runtime.testing import RunningService
from pixelflow.storage import ObjectStore, s3_client
from svc_images.settings import ImagesSettings


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
