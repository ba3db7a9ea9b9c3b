"""The built web app at `/`: hashed assets cached forever, every client route answered by index.html,
each file sent as the precompressed copy (`.br`, `.gz`, written by the web build) the client accepts."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import MutableMapping
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Match, Mount
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import Scope

# Paths the API owns: an unknown one is a JSON 404, never the app's HTML.
API_PREFIXES = ("api/", "socket.io/", "docs", "redoc", "openapi.json", "healthz", "readyz")
# Vite names every file under assets/ by its content's hash: a new build means a new URL.
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html, the service worker and the manifest name the current build: always revalidate (ETag).
REVALIDATE = "no-cache"
# Best first: brotli is smaller than gzip for the same text; ties in q-value go to the earlier.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

# The manifest's share_target action: the service worker answers it; this only when none is running
# (storage cleared after install), so a share opens the app instead of an error, without the files.
SHARE_TARGET = "share-target"

# Not in every system's mime.types; without it a manifest would go out as text/plain or octet-stream.
mimetypes.add_type("application/manifest+json", ".webmanifest")


def accepted_encodings(accept_encoding: str) -> dict[str, float]:
    """The q-value of each content coding the request names (RFC 9110 §12.5.3), lower-cased;
    `*` stands for every coding not named. A malformed q counts as 0: never send what is unclear."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if not coding:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        weights[coding.lower()] = q
    return weights


def choose_encoding(accept_encoding: str | None, available: list[str]) -> str:
    """The best of `available` (in preference order) and identity for the request: the highest q,
    ties to the earlier. identity stays acceptable unless refused by name or by `*;q=0`; when
    everything is refused it is sent anyway (a 406 for a web page helps no one)."""
    if accept_encoding is None:
        return "identity"
    weights = accepted_encodings(accept_encoding)
    star = weights.get("*")

    def q(coding: str) -> float:
        if coding in weights:
            return weights[coding]
        if star is not None:
            return star
        return 1.0 if coding == "identity" else 0.0

    options = [coding for coding in (*available, "identity") if q(coding) > 0]
    return max(options, key=q) if options else "identity"


class WebApp(StaticFiles):
    def __init__(self, directory: str) -> None:
        super().__init__(directory=directory, html=True)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == SHARE_TARGET and scope["method"] == "POST":
            return RedirectResponse("/?shared=0", status_code=303)
        if path.endswith(tuple(suffix for _, suffix in ENCODINGS)):
            # The copies are sent only as an encoding of their original, never as files of their own
            # (they would go out as the original's type without Content-Encoding).
            raise HTTPException(status_code=404)
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.startswith(API_PREFIXES) or PurePosixPath(path).suffix:
                raise
            return await super().get_response("index.html", scope)

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        request_headers = Headers(scope=scope)
        path = str(full_path)
        variants = {coding: path + suffix for coding, suffix in ENCODINGS if os.path.isfile(path + suffix)}
        coding = choose_encoding(request_headers.get("accept-encoding"), list(variants))
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if coding == "identity":
            response = FileResponse(path, status_code=status_code, stat_result=stat_result, media_type=media_type)
        else:
            # The copy's own stat: its size is the Content-Length, its ETag differs from the original's.
            variant = variants[coding]
            response = FileResponse(
                variant, status_code=status_code, stat_result=os.stat(variant), media_type=media_type
            )
            response.headers["content-encoding"] = coding
        if variants:
            response.headers["vary"] = "Accept-Encoding"
        # lookup_path resolved the path (symlinks included): compare with the directory resolved alike.
        relative = os.path.relpath(path, os.path.realpath(str(self.directory)))
        in_assets = PurePosixPath(relative).parts[:1] == ("assets",)
        response.headers["cache-control"] = IMMUTABLE if in_assets else REVALIDATE
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
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
