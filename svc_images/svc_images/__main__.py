"""`python -m svc_images`: serves pixelflow.images.v1.Images and ImageProcessing until SIGTERM."""

from __future__ import annotations

import asyncio

from pixelflow.runtime import run_service
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings


def main() -> None:
    settings = ImagesSettings()
    asyncio.run(run_service(ImagesService(settings), settings))


if __name__ == "__main__":
    main()
