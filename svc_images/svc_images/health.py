"""`python -m svc_images.health`: the container health check (the gRPC health service answers SERVING)."""

from pixelflow.runtime.healthcheck import grpc_main
from svc_images.settings import ImagesSettings

if __name__ == "__main__":
    grpc_main(ImagesSettings().port, "pixelflow.images.v1.Images")
