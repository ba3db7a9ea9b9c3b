"""Running a service in a test: on 127.0.0.1, port 0, with real or replaced dependencies."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import grpc

from pixelflow.runtime.server import GrpcServerSettings, ServiceRunner
from pixelflow.runtime.service import Service


def free_port() -> int:
    """A loopback port nothing listens on right now (for a process that must know its port first)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RunningService:
    runner: ServiceRunner
    address: str
    channel: grpc.aio.Channel


@asynccontextmanager
async def serve_for_test(service: Service) -> AsyncIterator[RunningService]:
    settings = service.settings
    if not isinstance(settings, GrpcServerSettings):
        raise TypeError("the service's settings must derive from GrpcServerSettings")
    runner = ServiceRunner(service, settings.model_copy(update={"host": "127.0.0.1", "port": 0}))
    port = await runner.start()
    address = f"127.0.0.1:{port}"
    channel = grpc.aio.insecure_channel(address)
    try:
        yield RunningService(runner=runner, address=address, channel=channel)
    finally:
        await channel.close()
        await runner.stop()
