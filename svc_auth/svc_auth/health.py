"""`python -m svc_auth.health`: the container health check (the gRPC health service answers SERVING)."""

from pixelflow.runtime.healthcheck import grpc_main
from svc_auth.settings import AuthSettings

if __name__ == "__main__":
    grpc_main(AuthSettings().port, "pixelflow.auth.v1.Auth")
