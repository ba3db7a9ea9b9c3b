"""Which calls a client may send again, and how: the reads, which change nothing when repeated.

A service shutting down gracefully finishes the calls it has begun, but answers CANCELLED to those
it had received and not yet begun; a restarting one is UNAVAILABLE for a moment. A read refused
either way is sent again (gRPC's own retry policy, with backoff), so a restart behind the edge
costs a request some milliseconds instead of an error. Writes are never retried here: the caller
decides, as the worker does through its job retries.
"""

from __future__ import annotations

import json

from pixelflow.auth.v1 import auth_pb2
from pixelflow.images.v1 import images_pb2

IDEMPOTENT_READS = {
    auth_pb2.DESCRIPTOR.services_by_name["Auth"]: ("GetMe", "GetJwks"),
    images_pb2.DESCRIPTOR.services_by_name["Images"]: (
        "GetImage",
        "GetLatestImage",
        "ListImages",
        "DownloadOptimized",
        "GetUsage",
    ),
}

READ_RETRY_POLICY = {
    "maxAttempts": 4,
    "initialBackoff": "0.05s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["CANCELLED", "UNAVAILABLE"],
}


def retrying_channel_options() -> list[tuple[str, object]]:
    """Options for `grpc.aio.insecure_channel` that retry the reads of `IDEMPOTENT_READS`."""
    names = [
        # Looked up in the descriptor, so a method renamed in the proto fails here instead of silently
        # losing its retries.
        {"service": service.full_name, "method": service.methods_by_name[method].name}
        for service, methods in IDEMPOTENT_READS.items()
        for method in methods
    ]
    config = {"methodConfig": [{"name": names, "retryPolicy": READ_RETRY_POLICY}]}
    return [("grpc.enable_retries", 1), ("grpc.service_config", json.dumps(config))]
