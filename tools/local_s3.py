"""A local S3 endpoint for `make dev` and `make bench` (moto's server, since MinIO cannot run here).

Its request log is kept to errors: svc_images checks the bucket every few seconds for its health,
and one access line each time would drown the services' own logs.
"""

from __future__ import annotations

import argparse
import logging

from moto.server import main as moto_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_server(["-H", "127.0.0.1", "-p", str(args.port)])


if __name__ == "__main__":
    main()
