from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Status(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class Image(Model):
    id = fields.UUIDField(primary_key=True)
    user_id = fields.UUIDField()
    # Kept only as data: object keys are generated, so no filename ever reaches a path.
    original_name = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=64)
    original_key = fields.CharField(max_length=255)
    status = fields.CharEnumField(Status, max_length=16, default=Status.QUEUED)
    width = fields.IntField()
    height = fields.IntField()
    size_bytes = fields.BigIntField()
    error: str | None = fields.TextField(null=True)  # type: ignore[assignment]
    # Bumped by the reconciler, so a re-enqueued job gets a fresh SAQ dedupe key.
    generation = fields.IntField(default=0)
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    processed_at = fields.DatetimeField(null=True)
    # pixelflow.options.ProcessingOptions as given (defaults filled in); NULL: from before options,
    # converted with the defaults. An image made by `Convert` shares `original_key` with the one it
    # came from: the object may be removed only once no row names it.
    options: dict[str, Any] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    # ThumbHash (base64) of the image; NULL: not made yet (a done one is then backfilled); "": its
    # backfill failed, not to be tried again.
    placeholder: str | None = fields.CharField(max_length=128, null=True)  # type: ignore[assignment]
    # The original's metadata holds a GPS position (no variant does).
    original_has_location = fields.BooleanField(default=False)
    # The batch (`batches`) it was uploaded in; NULL: uploaded on its own.
    batch_id: Any = fields.UUIDField(null=True, db_index=True)

    class Meta:
        table = "images"
        indexes = (Index(fields=("user_id", "uploaded_at")), Index(fields=("status", "updated_at")))


class ImageOutput(Model):
    """One rendered output of an image (today only `optimized`), stored in S3 at `key`."""

    id = fields.BigIntField(primary_key=True)
    image: fields.ForeignKeyRelation[Image] = fields.ForeignKeyField(
        "images.Image", related_name="outputs", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    key = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=64)
    width = fields.IntField()
    height = fields.IntField()
    size_bytes = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "image_outputs"
        unique_together = (("image", "name"),)


class UploadReservation(Model):
    """Quota room held by an upload in flight, until its image row counts the bytes instead.

    A row outlives its upload only when the process died mid-upload; it stops counting at
    `expires_at`.
    """

    id = fields.UUIDField(primary_key=True)
    user_id = fields.UUIDField()
    size_bytes = fields.BigIntField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "upload_reservations"
        indexes = (Index(fields=("user_id", "expires_at")),)


class PendingDeletion(Model):
    """An object to remove from S3 (the outbox of image deletions): written in the transaction that
    deletes its rows, removed once S3 confirms, swept by a timer while S3 is down.

    An original is removed only once no image row names it any more (a converted-again image shares it).
    """

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.IntField(default=0)

    class Meta:
        table = "pending_deletions"


class Batch(Model):
    """Files uploaded together with the same options; its images name it (`images.batch_id`)."""

    id = fields.UUIDField(primary_key=True)
    user_id = fields.UUIDField()
    options: dict[str, Any] = fields.JSONField()  # type: ignore[assignment]
    # Files of the batch refused at upload (no image row): counted in its total, as failed.
    refused = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "batches"
        indexes = (Index(fields=("user_id", "created_at")),)
