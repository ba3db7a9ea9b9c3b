"""The service runtime shared by every pixelflow gRPC service (Nameko-style, over grpc.aio)."""

from pixelflow.runtime.entrypoints import AuthKind, Call, rpc
from pixelflow.runtime.server import ServiceRunner, run_service
from pixelflow.runtime.service import Dependency, Service
from pixelflow.runtime.timers import timer

__all__ = ["AuthKind", "Call", "Dependency", "Service", "ServiceRunner", "rpc", "run_service", "timer"]
