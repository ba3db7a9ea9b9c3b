"""`python -m edge.health`: the container health check (`/healthz` answers 200)."""

from edge.settings import EdgeSettings
from pixelflow.runtime.healthcheck import exit_with, http_ok

if __name__ == "__main__":
    exit_with(http_ok(f"http://127.0.0.1:{EdgeSettings().port}/healthz"))
