"""Real-world inputs over HTTP through the running system: an iPhone-style HEIC, a panorama."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pyvips

from svc_worker.fit import WEBP_MAX_SIDE
from tests.support import formats
from tests.support.images import Listener, upload
from tests.support.services import WorkerProcess
from tests.support.users import bearer

pytestmark = pytest.mark.usefixtures("worker")

RED, BLUE = (255, 0, 0), (0, 0, 255)


async def _optimized(http: httpx.AsyncClient, owner: dict[str, Any], done: dict[str, Any]) -> pyvips.Image:
    response = await http.get(done["optimized_url"], headers=bearer(owner))
    assert response.status_code == 200
    return pyvips.Image.new_from_buffer(response.content, "")


async def test_iphone_heic_ends_done_upright(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener, worker: WorkerProcess
) -> None:
    data = formats.heic(formats.pillow_halves((300, 200), RED, BLUE), exif_orientation=6)
    response = await upload(http, owner, data, filename="IMG_0001.HEIC", content_type="image/heic")
    assert response.status_code == 201, response.text
    done = await listener.wait_for_any(response.json()["id"], ("done", "failed"))
    assert done["status"] == "done", (done["error"], worker.log())
    assert (done["width"], done["height"], done["downscaled"]) == (200, 300, False)
    webp = await _optimized(http, owner, done)
    assert (webp.width, webp.height) == (200, 300)
    top, bottom = webp.getpoint(100, 20), webp.getpoint(100, 280)
    assert top[0] > 200 > top[2]
    assert bottom[2] > 200 > bottom[0]


async def test_panorama_is_scaled_to_fit_and_says_so(
    http: httpx.AsyncClient, owner: dict[str, Any], listener: Listener
) -> None:
    data = formats.jpeg(formats.gradient(WEBP_MAX_SIDE + 1, 16), Q=70)
    response = await upload(http, owner, data, filename="panorama.jpg")
    assert response.status_code == 201, response.text
    assert response.json()["downscaled"] is False
    done = await listener.wait_for_any(response.json()["id"], ("done", "failed"))
    assert (done["status"], done["width"], done["height"], done["downscaled"]) == ("done", WEBP_MAX_SIDE, 16, True)
    webp = await _optimized(http, owner, done)
    assert (webp.width, webp.height) == (WEBP_MAX_SIDE, 16)
