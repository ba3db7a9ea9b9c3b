"""One trace per upload, from the edge through svc_images and the queue to the worker's encode.

The edge and svc_images run here, exporting to memory; the worker is its own process exporting
OTLP over HTTP to a receiver on loopback, as it would to a collector.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from edge.app import create_app
from pixelflow.runtime.testing import serve_for_test
from pixelflow.runtime.tracing import configure_tracing, tracing_on, tracing_requested
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.conftest import edge_settings_for, migrated_database, worker_env
from tests.support.formats import gradient, jpeg
from tests.support.http import serve_http
from tests.support.images import Listener
from tests.support.services import running_worker
from tests.support.users import client_address, register

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736
CLIENT_SPAN_ID = 0x00F067AA0BA902B7


@dataclass(frozen=True)
class WorkerSpan:
    name: str
    trace_id: int
    span_id: int
    parent_span_id: int | None


class OtlpReceiver:
    """What a collector would receive from the worker: spans posted to /v1/traces."""

    def __init__(self) -> None:
        self.spans: list[WorkerSpan] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
                for resource in request.resource_spans:
                    for scope in resource.scope_spans:
                        receiver.spans.extend(
                            WorkerSpan(
                                name=span.name,
                                trace_id=int.from_bytes(span.trace_id, "big"),
                                span_id=int.from_bytes(span.span_id, "big"),
                                parent_span_id=int.from_bytes(span.parent_span_id, "big") or None,
                            )
                            for span in scope.spans
                        )
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(scope="module")
def memory() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert configure_tracing("tests", sample_ratio=0.0, environ={}, exporter=exporter)
    yield exporter
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.shutdown()
    # Tracing off again for the tests after this module (OpenTelemetry sets its provider once per
    # process; the test resets what `configure_tracing` installed).
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.util._once import Once

    AsyncPGInstrumentor().uninstrument()
    RedisInstrumentor().uninstrument()
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    assert not tracing_on()


@dataclass
class TracedStack:
    http: httpx.AsyncClient
    edge_url: str
    memory: InMemorySpanExporter
    receiver: OtlpReceiver


@pytest.fixture(scope="module")
async def stack(
    memory: InMemorySpanExporter,
    receiver: OtlpReceiver,
    images_settings: ImagesSettings,
    auth_server: Any,
    redis_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[TracedStack]:
    async with migrated_database("tracing", MIGRATIONS) as url:
        settings = images_settings.model_copy(update={"database_url": url, "queue_name": f"{redis_prefix}-tracing"})
        async with serve_for_test(ImagesService(settings)) as images:
            env = worker_env(settings, images.address, redis_prefix) | {
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
                "OTEL_BSP_SCHEDULE_DELAY": "100",
            }
            log = tmp_path_factory.mktemp("tracing-worker") / "worker.log"
            edge = edge_settings_for(auth_server.address, redis_prefix, images_address=images.address)
            async with (
                running_worker(env, log),
                serve_http(create_app(edge)) as edge_url,
                httpx.AsyncClient(base_url=edge_url, headers={"X-Forwarded-For": client_address()}, timeout=30) as http,
            ):
                yield TracedStack(http=http, edge_url=edge_url, memory=memory, receiver=receiver)


def _ancestors(span_id: int | None, parents: dict[int, int | None]) -> list[int]:
    chain = []
    while span_id is not None:
        chain.append(span_id)
        span_id = parents.get(span_id)
    return chain


async def test_an_upload_is_one_trace_from_the_edge_to_the_workers_encode(stack: TracedStack) -> None:
    owner = await register(stack.http)
    listener = Listener()
    await listener.connect(stack.edge_url, owner["access_token"])
    try:
        traceparent = f"00-{TRACE_ID:032x}-{CLIENT_SPAN_ID:016x}-01"
        response = await stack.http.post(
            "/api/images",
            files={"file": ("photo.jpg", jpeg(gradient(320, 200)), "image/jpeg")},
            headers={"Authorization": f"Bearer {owner['access_token']}", "traceparent": traceparent},
        )
        assert response.status_code == 201, response.text
        await listener.wait_for(response.json()["id"], "done")
        # A streamed reply, traced too (the runtime writes streams with `context.write`).
        download = await stack.http.get(
            f"/api/images/{response.json()['id']}/optimized",
            headers={"Authorization": f"Bearer {owner['access_token']}"},
        )
        assert download.status_code == 200
        assert download.content[8:12] == b"WEBP"
    finally:
        await listener.close()

    deadline = asyncio.get_running_loop().time() + 30
    # The job's span ends last (after the results are reported): wait for it and the encode.
    while not {"encode", "process_image job"} <= {s.name for s in stack.receiver.spans if s.trace_id == TRACE_ID}:
        assert asyncio.get_running_loop().time() < deadline, [s.name for s in stack.receiver.spans]
        await asyncio.sleep(0.1)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.force_flush()

    here: list[ReadableSpan] = [span for span in stack.memory.get_finished_spans() if span.context.trace_id == TRACE_ID]
    worker = [span for span in stack.receiver.spans if span.trace_id == TRACE_ID]
    parents: dict[int, int | None] = {
        span.context.span_id: span.parent.span_id if span.parent else None for span in here
    }
    parents |= {span.span_id: span.parent_span_id for span in worker}
    by_name = {span.name: span.context.span_id for span in here} | {span.name: span.span_id for span in worker}

    edge_span = by_name["POST /api/images"]  # the caller's traceparent is its parent
    assert parents[edge_span] == CLIENT_SPAN_ID
    upload_span = by_name["/pixelflow.images.v1.Images/Upload"]
    assert edge_span in _ancestors(upload_span, parents)
    job_span = by_name["process_image job"]
    assert upload_span in _ancestors(job_span, parents)  # across the queue
    for name in ("decode", "encode", "S3 GET", "S3 PUT", "/pixelflow.images.v1.ImageProcessing/CompleteProcessing"):
        assert name in by_name, (name, sorted(by_name))
        assert job_span in _ancestors(by_name[name], parents), name


def test_tracing_is_off_unless_the_standard_variables_ask_for_it() -> None:
    assert not tracing_requested({})
    assert not tracing_requested({"OTEL_SERVICE_NAME": "x"})
    assert tracing_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert tracing_requested({"OTEL_TRACES_EXPORTER": "otlp"})
    assert not tracing_requested(
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    )
    assert not tracing_requested({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"})
