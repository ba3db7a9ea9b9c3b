"""Writes the edge's OpenAPI document as JSON, from the app itself (no server, no services): the
input of the web app's generated types (`make api-types`)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def document() -> dict[str, object]:
    # Settings shape the document (upload limits are written into it): the defaults, never this
    # shell's PIXELFLOW_* variables, or the committed types would depend on who generated them.
    for name in [name for name in os.environ if name.startswith("PIXELFLOW_")]:
        del os.environ[name]
    from edge.app import create_app
    from edge.settings import EdgeSettings

    combined = create_app(EdgeSettings(web_dist=Path("/nonexistent")))
    app = combined.other_asgi_app  # type: ignore[attr-defined]  # socketio.ASGIApp wraps FastAPI
    built: dict[str, object] = app.openapi()
    return built


def main() -> None:
    target = Path(sys.argv[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document(), indent=2) + "\n")


if __name__ == "__main__":
    main()
