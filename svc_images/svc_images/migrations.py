"""`python -m svc_images.migrations`: creates the database if needed and applies aerich migrations.

`python -m svc_images.migrations make NAME` writes a new migration from the models (development).
"""

from __future__ import annotations

from pathlib import Path

from pixelflow.runtime.database import Migrations
from svc_images.dependencies import TORTOISE_APP, TORTOISE_MODELS
from svc_images.settings import ImagesSettings

MIGRATIONS = Migrations(app=TORTOISE_APP, models=TORTOISE_MODELS, location=Path(__file__).parent / "migrations")

if __name__ == "__main__":
    MIGRATIONS.main(ImagesSettings().database_url)
