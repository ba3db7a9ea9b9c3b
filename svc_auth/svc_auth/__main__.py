"""`python -m svc_auth`: serves pixelflow.auth.v1.Auth until SIGTERM."""

from __future__ import annotations

import asyncio

from pixelflow.runtime import run_service
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings


def main() -> None:
    settings = AuthSettings()
    asyncio.run(run_service(AuthService(settings), settings))


if __name__ == "__main__":
    main()
