"""Each process's /metrics moves by exactly what was done: three uploads, three conversions."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from edge.app import create_app
from pixelflow.runtime.metrics import MetricsSettings, metrics_endpoint
from pixelflow.runtime.testing import free_port, serve_for_test
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for, migrated_database, worker_env
from tests.support.formats import gradient, jpeg
from tests.support.http import serve_http
from tests.support.images import Listener, upload
from tests.support.services import WorkerProcess, running_worker
from tests.support.users import client_address, register

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient, url: str) -> Samples:
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@dataclass
class MeteredStack:
    http: httpx.AsyncClient
    edge_url: str
    process_metrics: str  # this process's: the edge and svc_images run in it
    worker_metrics: str
    worker: WorkerProcess


@pytest.fixture(scope="module")
async def stack(
    images_settings: ImagesSettings, auth_server: Any, redis_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[MeteredStack]:
    """svc_images on a database and queue of its own, its own worker and edge, and /metrics on each."""
    async with migrated_database("metrics", MIGRATIONS) as url:
        settings = images_settings.model_copy(
            update={"database_url": url, "queue_name": f"{redis_prefix}-metrics", "metrics_refresh_seconds": 0.2}
        )
        async with serve_for_test(ImagesService(settings)) as images:
            env = worker_env(settings, images.address, redis_prefix)
            log = tmp_path_factory.mktemp("metrics-worker") / "worker.log"
            edge = edge_settings_for(auth_server.address, redis_prefix, images_address=images.address)
            with metrics_endpoint(MetricsSettings(metrics_port=free_port())) as port:
                async with (
                    running_worker(env, log) as worker,
                    serve_http(create_app(edge)) as edge_url,
                    httpx.AsyncClient(
                        base_url=edge_url, headers={"X-Forwarded-For": client_address()}, timeout=30
                    ) as http,
                ):
                    yield MeteredStack(
                        http=http,
                        edge_url=edge_url,
                        process_metrics=f"http://127.0.0.1:{port}/metrics",
                        worker_metrics=f"http://127.0.0.1:{env['PIXELFLOW_WORKER_METRICS_PORT']}/metrics",
                        worker=worker,
                    )


async def until(condition: Any, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_three_uploads_move_every_process_counter_by_three(stack: MeteredStack) -> None:
    owner = await register(stack.http)
    photo = jpeg(gradient(320, 200))
    async with httpx.AsyncClient(timeout=10) as scraper:
        await until(lambda: _answers(scraper, stack.worker_metrics))
        edge_before = await scrape(scraper, stack.process_metrics)
        worker_before = await scrape(scraper, stack.worker_metrics)

        listener = Listener()
        await listener.connect(stack.edge_url, owner["access_token"])
        try:
            connected = await scrape(scraper, stack.process_metrics)
            assert (
                value(connected, "pixelflow_socketio_connections")
                == value(edge_before, "pixelflow_socketio_connections") + 1
            )
            ids = []
            for index in range(3):
                response = await upload(stack.http, owner, photo, filename=f"photo-{index}.jpg")
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
            for image_id in ids:
                await listener.wait_for(image_id, "done")
        finally:
            await listener.close()

        edge_after = await scrape(scraper, stack.process_metrics)
        upload_route = {"route": "/api/images", "method": "POST"}
        assert (
            value(edge_after, "pixelflow_http_requests_total", **upload_route, status="201")
            - value(edge_before, "pixelflow_http_requests_total", **upload_route, status="201")
            == 3
        )
        assert (
            value(edge_after, "pixelflow_http_request_seconds_count", **upload_route)
            - value(edge_before, "pixelflow_http_request_seconds_count", **upload_route)
            == 3
        )
        received = value(edge_after, "pixelflow_upload_bytes_total") - value(
            edge_before, "pixelflow_upload_bytes_total"
        )
        assert received > 3 * len(photo)  # the file and the form's framing
        assert value(edge_after, "pixelflow_uploads_in_flight") == 0
        grpc_upload = {"method": "pixelflow.images.v1.Images/Upload", "code": "OK"}
        assert (
            value(edge_after, "pixelflow_grpc_requests_total", **grpc_upload)
            - value(edge_before, "pixelflow_grpc_requests_total", **grpc_upload)
            == 3
        )
        s3_put = {"operation": "PUT"}  # each original, small enough for one PUT
        s3_puts = value(edge_after, "pixelflow_s3_request_seconds_count", **s3_put) - value(
            edge_before, "pixelflow_s3_request_seconds_count", **s3_put
        )
        assert s3_puts == 3
        stored = value(edge_after, "pixelflow_uploads_total", outcome="stored") - value(
            edge_before, "pixelflow_uploads_total", outcome="stored"
        )
        assert stored == 3
        assert ("pixelflow_db_pool_connections_in_use", frozenset({("database", "images")})) in edge_after

        async def conversions_reported() -> bool:
            now = await scrape(scraper, stack.worker_metrics)
            return value(now, "pixelflow_conversions_total", outcome="done") >= 3 + value(
                worker_before, "pixelflow_conversions_total", outcome="done"
            )

        await until(conversions_reported)
        worker_after = await scrape(scraper, stack.worker_metrics)
        for name, labels, expected in [
            ("pixelflow_conversions_total", {"outcome": "done"}, 3),
            ("pixelflow_conversions_total", {"outcome": "failed"}, 0),
            ("pixelflow_conversion_seconds_count", {}, 3),
            ("pixelflow_job_wait_seconds_count", {}, 3),
            ("pixelflow_conversion_input_megapixels_count", {}, 3),
            ("pixelflow_conversion_stage_seconds_count", {"stage": "decode"}, 3),
            ("pixelflow_conversion_bytes_total", {"direction": "in"}, 3 * len(photo)),
        ]:
            assert value(worker_after, name, **labels) - value(worker_before, name, **labels) == expected, name
        assert value(worker_after, "pixelflow_conversion_input_megapixels_sum") - value(
            worker_before, "pixelflow_conversion_input_megapixels_sum"
        ) == pytest.approx(3 * 320 * 200 / 1e6)

        async def gauges_settled() -> bool:
            now = await scrape(scraper, stack.process_metrics)
            return value(now, "pixelflow_images", status="done") == 3 and value(now, "pixelflow_queue_depth") == 0

        await until(gauges_settled)


async def _answers(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url)).status_code == 200
    except httpx.TransportError:
        return False


async def test_the_metrics_port_is_not_the_public_one(stack: MeteredStack) -> None:
    response = await stack.http.get("/metrics")
    assert response.status_code == 404
    assert "pixelflow_http_requests_total" not in response.text


async def test_labels_carry_route_templates_never_ids(stack: MeteredStack) -> None:
    """A request to an image's path is counted under the template, so label values stay bounded."""
    owner = await register(stack.http)
    image_id = "0b5c6a1e-0000-4000-8000-00000000abcd"
    headers = {"Authorization": f"Bearer {owner['access_token']}"}
    assert (await stack.http.get(f"/api/images/{image_id}", headers=headers)).status_code == 404
    assert (await stack.http.get("/no/such/path/12345")).status_code == 404
    async with httpx.AsyncClient(timeout=10) as scraper:
        samples = await scrape(scraper, stack.process_metrics)
    routes = {dict(labels).get("route") for _, labels in samples if dict(labels).get("route")}
    assert "/api/images/{image_id}" in routes
    assert "unmatched" in routes
    assert not [route for route in routes if route and ("abcd" in route or "12345" in route)]


async def test_every_metric_the_readme_promises_is_served(stack: MeteredStack) -> None:
    """The README's table is what dashboards and the autoscaler are written against."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    table = readme.split("<!-- metrics:start -->")[1].split("<!-- metrics:end -->")[0]
    promised = set(re.findall(r"^\| `(pixelflow_\w+)`", table, re.MULTILINE))
    assert len(promised) > 15
    served: set[str] = set()
    async with httpx.AsyncClient(timeout=10) as scraper:
        await until(lambda: _answers(scraper, stack.worker_metrics))
        for url in (stack.process_metrics, stack.worker_metrics):
            text = (await scraper.get(url)).text
            served |= {family.name for family in text_string_to_metric_families(text)}
    # Counters are served under their name without `_total`.
    served |= {f"{name}_total" for name in served}
    assert promised - served == set()
