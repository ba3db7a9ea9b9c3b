"""Health entries beyond the standard per-service ones: one per dependency, `<service>/<label>`.

The runner sets them (and the service's own entry NOT_SERVING while any is down); the edge's
`/readyz` reads them to say which dependency is down. A test keeps this table and the services'
labelled dependencies the same. `serving_status` is the one way every caller (the edge's `/readyz`,
the container probes) asks a service how it is.
"""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING = "SERVING"

COMPONENTS: dict[str, tuple[str, ...]] = {
    "pixelflow.auth.v1.Auth": ("database", "session store"),
    "pixelflow.images.v1.Images": ("database", "storage", "queue", "session store"),
}


def component_name(service: str, label: str) -> str:
    return f"{service}/{label}"


async def serving_status(channel: grpc.aio.Channel, service: str, timeout: float) -> str:
    """What the standard health service says of `service`: SERVING, NOT_SERVING, ... or
    "unreachable (<gRPC code>)" when nothing answers in time."""
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=timeout
        )
    except grpc.aio.AioRpcError as exc:
        return f"unreachable ({exc.code().name})"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
