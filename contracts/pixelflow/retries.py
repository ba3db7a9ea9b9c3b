"""Which calls a client may send again, and how: the reads, which change nothing when repeated.

A service shutting down gracefully finishes the calls it has begun, but answers CANCELLED to those
it had received and not yet begun; a restarting one is UNAVAILABLE for a moment. A read refused
either way is sent again (gRPC's own retry policy, with backoff), so a restart behind the edge
costs a request some milliseconds instead of an error. Writes are never retried here: the caller
decides, as the worker does through its job retries.
"""

from __future__ import annotations

import json

from google.protobuf.descriptor import FileDescriptor, MethodDescriptor
from google.protobuf.descriptor_pb2 import MethodOptions

from pixelflow.auth.v1 import auth_pb2
from pixelflow.images.v1 import images_pb2

# The protos of the services clients call; a read is marked there, `idempotency_level = NO_SIDE_EFFECTS`.
PROTO_FILES: tuple[FileDescriptor, ...] = (auth_pb2.DESCRIPTOR, images_pb2.DESCRIPTOR)


def idempotent_reads(files: tuple[FileDescriptor, ...] = PROTO_FILES) -> list[MethodDescriptor]:
    """Every method the protos mark as having no side effects."""
    return [
        method
        for file in files
        for service in file.services_by_name.values()
        for method in service.methods
        if method.GetOptions().idempotency_level == MethodOptions.NO_SIDE_EFFECTS
    ]


READ_RETRY_POLICY = {
    "maxAttempts": 4,
    "initialBackoff": "0.05s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["CANCELLED", "UNAVAILABLE"],
}


def retrying_channel_options() -> list[tuple[str, object]]:
    """Options for `grpc.aio.insecure_channel` that retry the `idempotent_reads`."""
    names = [{"service": method.containing_service.full_name, "method": method.name} for method in idempotent_reads()]
    config = {"methodConfig": [{"name": names, "retryPolicy": READ_RETRY_POLICY}]}
    return [("grpc.enable_retries", 1), ("grpc.service_config", json.dumps(config))]
