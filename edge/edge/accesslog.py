"""Keeps temporary links' signatures out of uvicorn's access log.

A link's signature is its whole secret: whoever reads it in a log line (an operator, a log
collector, a support ticket) could open the person's photo without any token until it expires,
up to 7 days. The line keeps the route, the image id, the variant and the expiry.
"""

from __future__ import annotations

import logging
import re

_SIGNATURE = re.compile(r"(?i)([?&]signature=)[^&#\s]*")


class RedactLinkSignatures(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client address, method, path with query, HTTP version, status).
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "signature=" in args[2].lower():
            record.args = (*args[:2], _SIGNATURE.sub(r"\1[redacted]", args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    logging.getLogger("uvicorn.access").addFilter(RedactLinkSignatures())
