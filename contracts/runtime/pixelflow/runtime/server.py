"""Runs a `Service` on a grpc.aio server with health, reflection and a graceful stop.

Start: set up the dependencies, then bind the port and answer SERVING: while a service starts
nothing listens, so callers waiting for readiness (the edge's calls) wait rather than fail.
Stop (SIGTERM or SIGINT): NOT_SERVING, wait `drain_seconds` so balancers notice, stop with
`shutdown_grace_seconds` for in-flight calls, then tear the dependencies down (database, Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from pydantic import Field

from pixelflow.runtime.health import component_name
from pixelflow.runtime.heap import freeze_startup_objects
from pixelflow.runtime.interceptors import RequestContextInterceptor
from pixelflow.runtime.logs import configure_logging
from pixelflow.runtime.metrics import MetricsSettings, metrics_endpoint
from pixelflow.runtime.service import Service
from pixelflow.runtime.tracing import configure_tracing

log = logging.getLogger(__name__)


class GrpcServerSettings(MetricsSettings):
    host: str = Field("127.0.0.1", description="gRPC listen address")
    port: int = Field(0, ge=0, le=65535, description="gRPC port")
    shutdown_grace_seconds: float = Field(10.0, ge=0, description="how long in-flight calls may finish on SIGTERM")
    drain_seconds: float = Field(0.0, ge=0, description="NOT_SERVING time before the server stops")
    max_message_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="largest gRPC message in or out")
    health_interval_seconds: float = Field(5.0, gt=0, description="how often dependencies are checked for health")
    health_timeout_seconds: float = Field(2.0, gt=0, description="how long one dependency check may take")


class ServiceRunner:
    def __init__(self, service: Service, settings: GrpcServerSettings) -> None:
        self.service = service
        self.settings = settings
        self.health = health.aio.HealthServicer()
        self.server = grpc.aio.server(
            interceptors=[RequestContextInterceptor()],
            options=[
                ("grpc.max_receive_message_length", settings.max_message_bytes),
                ("grpc.max_send_message_length", settings.max_message_bytes),
                # A fixed flow-control window: with BDP probing it grows to many MiB, which a
                # streamed upload fills ahead of the handler (memory, not speed, on loopback).
                ("grpc.http2.bdp_probe", 0),
            ],
        )
        self.port = 0
        self.metrics_port: int | None = None
        self._metrics = contextlib.ExitStack()
        self._stopping: asyncio.Task[None] | None = None
        self._monitor: asyncio.Task[None] | None = None

    @property
    def service_names(self) -> list[str]:
        return [descriptor.full_name for descriptor in self.service.grpc_services]

    async def _set_status(self, status: health_pb2.HealthCheckResponse.ServingStatus.ValueType) -> None:
        for name in ["", *self.service_names]:
            await self.health.set(name, status)

    async def start(self) -> int:
        self.server.add_generic_rpc_handlers(tuple(self.service.handlers()))
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )
        await self._set_status(health_pb2.HealthCheckResponse.NOT_SERVING)
        try:
            await self.service.start()
        except BaseException:
            await self.service.stop()
            raise
        self.port = self.server.add_insecure_port(f"{self.settings.host}:{self.settings.port}")
        await self.server.start()
        await self.refresh_health()
        self._monitor = asyncio.create_task(self._watch_dependencies(), name=f"{self.service.name}-health")
        self.metrics_port = self._metrics.enter_context(metrics_endpoint(self.settings))
        log.info("%s serving on %s:%d", self.service.name, self.settings.host, self.port)
        return self.port

    async def refresh_health(self) -> dict[str, str | None]:
        """Checks every labelled dependency; the service is SERVING only while all of them answer."""
        problems = await self.service.check_dependencies(self.settings.health_timeout_seconds)
        serving, not_serving = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
        for label, problem in problems.items():
            for name in self.service_names:
                await self.health.set(component_name(name, label), not_serving if problem else serving)
            if problem:
                log.warning("%s: the %s does not answer: %s", self.service.name, label, problem)
        await self._set_status(not_serving if any(problems.values()) else serving)
        return problems

    async def _watch_dependencies(self) -> None:
        while True:
            await asyncio.sleep(self.settings.health_interval_seconds)
            try:
                await self.refresh_health()
            except Exception:
                log.exception("checking the dependencies failed")

    async def stop(self) -> None:
        """Idempotent: a second caller waits for the first stop to finish."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        log.info("%s draining", self.service.name)
        if self._monitor is not None:
            self._monitor.cancel()
        await self.health.enter_graceful_shutdown()
        await asyncio.sleep(self.settings.drain_seconds)
        await self.server.stop(self.settings.shutdown_grace_seconds)
        await self.service.stop()
        self._metrics.close()
        log.info("%s stopped", self.service.name)


async def run_service(service: Service, settings: GrpcServerSettings) -> None:
    """Serves until SIGTERM or SIGINT, then stops gracefully."""
    configure_logging(service.name, settings.log_level, settings.log_format)
    configure_tracing(service.name, sample_ratio=settings.trace_sample_ratio)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop_requested.set)
    runner = ServiceRunner(service, settings)
    await runner.start()
    freeze_startup_objects()
    await stop_requested.wait()
    await runner.stop()
