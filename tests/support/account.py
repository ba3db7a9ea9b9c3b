"""What the tests of a person's data look at behind the API: the bucket and the rows."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from pixelflow.media.storage import S3Settings, s3_client


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 30.0) -> None:
    """Waits for `check` (a sweep or a purge runs on a timer); fails if it never holds."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"still not so after {seconds} s"
        await asyncio.sleep(0.1)


async def owner_keys(settings: S3Settings, owner_id: str) -> list[str]:
    """Every object stored for the owner: originals and results."""
    client = s3_client(settings)
    try:
        keys = []
        for prefix in (f"originals/{owner_id}/", f"outputs/{owner_id}/"):
            objects = await client.list_objects(settings.s3_bucket, prefix=prefix, recursive=True)
            keys += [str(obj.object_name) for obj in objects]
        return sorted(keys)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]


async def object_exists(settings: S3Settings, key: str) -> bool:
    client = s3_client(settings)
    try:
        objects = await client.list_objects(settings.s3_bucket, prefix=key)
        return any(obj.object_name == key for obj in objects)
    finally:
        await client.close_session()  # type: ignore[no-untyped-call]


async def query(database_url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def copy_image(database_url: str, image_id: str) -> str:
    """A second image row sharing the first's original object, as "convert again" makes one."""
    copy = str(uuid.uuid4())
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            await connection.execute(
                'CREATE TEMP TABLE "copied" ON COMMIT DROP AS SELECT * FROM "images" WHERE "id" = $1',
                uuid.UUID(image_id),
            )
            await connection.execute('UPDATE "copied" SET "id" = $1', uuid.UUID(copy))
            await connection.execute('INSERT INTO "images" SELECT * FROM "copied"')
    finally:
        await connection.close()
    return copy
