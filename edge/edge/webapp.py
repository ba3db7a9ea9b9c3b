"""The built web app at `/`: hashed assets cached forever, every client route answered by index.html."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import PurePosixPath
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Paths the API owns: an unknown one is a JSON 404, never the app's HTML.
API_PREFIXES = ("api/", "socket.io/", "docs", "redoc", "openapi.json", "healthz", "readyz")


class WebApp(StaticFiles):
    def __init__(self, directory: str) -> None:
        super().__init__(directory=directory, html=True)

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.startswith(API_PREFIXES) or PurePosixPath(path).suffix:
                raise
            response = await super().get_response("index.html", scope)
        if path.startswith("assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response


class WebAppMount(Mount):
    """`/` for the web app, matching no path the API owns: the API's router answers those, so an
    unsupported method on an API route gets the API's 405 and `Allow`, never the static files'."""

    def __init__(self, directory: str) -> None:
        super().__init__("/", app=WebApp(directory), name="web")

    def matches(self, scope: Scope) -> tuple[Match, MutableMapping[str, Any]]:
        if scope["type"] == "http" and scope["path"].lstrip("/").startswith(API_PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)
