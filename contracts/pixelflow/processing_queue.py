"""The processing queue's contract between svc_images (enqueues) and svc_worker (runs): one job per image."""

from __future__ import annotations

from dataclasses import dataclass

QUEUE_NAME = "pixelflow-images"
PROCESS_IMAGE = "process_image"
# Gives a done image the outputs it lacks (images converted before those outputs existed).
BACKFILL_IMAGE = "backfill_image"


@dataclass(frozen=True)
class JobPolicy:
    """SAQ's defaults (10 s timeout, one attempt) are wrong for images: every value is explicit."""

    timeout_seconds: int = 120
    attempts: int = 3  # SAQ's `retries` counts every attempt, the first one included
    retry_delay_seconds: float = 1.0
    retry_backoff_max_seconds: float = 30.0


def process_image_key(image_id: str, generation: int) -> str:
    """SAQ's dedupe key: one incomplete job per image and generation.

    A job stays "active" in Redis when its worker dies; the reconciler bumps the generation so a
    fresh job is not refused as a duplicate of the dead one.
    """
    return f"image:{image_id}:{generation}"


def process_image_kwargs(image_id: str) -> dict[str, str]:
    # Not `key` or `id`: SAQ takes keyword arguments named like job fields as job options.
    return {"image_id": image_id}


def backfill_image_key(image_id: str) -> str:
    """SAQ's dedupe key of an image's backfill job: one at a time per image."""
    return f"backfill:{image_id}"
