"""One spelling per email address: what svc_auth stores and the edge's rate limits key on."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from pixelflow.errors import InvalidArgument


def normalize_email(email: str) -> str:
    """The stored form: the domain IDNA-normalised (a full-width domain becomes ASCII), then lower-cased."""
    try:
        validated = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidArgument(f"not a valid email address: {exc}", field="email") from exc
    return validated.normalized.lower()


def email_key(email: str) -> str:
    """`normalize_email`, or for text that is no address at all, the text case-folded."""
    try:
        return normalize_email(email)
    except InvalidArgument:
        return email.strip().casefold()
