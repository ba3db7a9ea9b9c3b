"""What the OpenAPI document cannot say, told to schemathesis (`SCHEMATHESIS_HOOKS`).

A schema-valid request is one the API must accept, so the cases schemathesis means as valid get
what JSON Schema cannot express: a password confirmation equal to the password, file bytes that
are an image, and a list cursor the server issued (signed: any other is refused, as documented).
Cases meant as invalid are left as generated.
"""

from __future__ import annotations

import os
import random
import struct
import uuid
import zlib
from typing import Any

import httpx
import schemathesis
from schemathesis.core.parameters import ParameterLocation


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# A 1×1 grey PNG: the smallest file that is an image of a supported type.
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    + _png_chunk(b"IEND", b"")
)
ISSUED_CURSORS_ENV = "PIXELFLOW_ST_CURSORS"
EDGE_URL_ENV = "PIXELFLOW_ST_EDGE_URL"
ACCESS_TOKEN_ENV = "PIXELFLOW_ST_ACCESS_TOKEN"
SIGN_OUT_ADDRESS_ENV = "PIXELFLOW_ST_SIGN_OUT_ADDRESS"
IMAGE_IDS_ENV = "PIXELFLOW_ST_IMAGE_IDS"
ISSUED_LINKS_ENV = "PIXELFLOW_ST_LINKS"
# Served beside the web app's index.html, for URL imports.
TINY_PNG_NAME = "tiny.png"


def _meant_valid(case: Any, location: ParameterLocation) -> bool:
    return case.meta is None or not case.meta.is_negative_at(location)


def _listed(name: str) -> list[str]:
    return [item for item in os.environ.get(name, "").split(",") if item]


THROWAWAY_PASSWORD = "throwaway password"
_throwaway_emails: list[str] = []


def _fresh_bearer() -> str:
    """A session of an account signed up for this one case: deleting the account takes it away."""
    edge = os.environ[EDGE_URL_ENV]
    headers = {"X-Forwarded-For": os.environ[SIGN_OUT_ADDRESS_ENV]}
    body = {"email": f"closing-{uuid.uuid4().hex}@example.com", "password": THROWAWAY_PASSWORD}
    reply = httpx.post(
        f"{edge}/api/auth/register", json=body | {"password_confirm": THROWAWAY_PASSWORD}, headers=headers, timeout=20
    )
    reply.raise_for_status()
    return f"Bearer {reply.json()['access_token']}"


# What would end the run's own session or change its password gets a throwaway session instead.
THROWAWAY_ROUTES = {
    ("POST", "/api/auth/logout"),
    ("DELETE", "/api/auth/sessions/{session_id}"),
    ("POST", "/api/auth/password"),
}
ACCOUNT_DELETION = ("DELETE", "/api/auth/me")


def _throwaway_bearer() -> str:
    """A session of its own for each sign-out: signing out ends the session whose token it carries,
    and the run's own token must outlive every sign-out schemathesis sends. One account is signed up
    once, then signed in to for each: sign-ups count against the client's limit, good sign-ins do not,
    so a run may send as many sign-outs as it likes. They come from an address of their own: the
    wrong passwords schemathesis sends from its address lock that address out of signing in."""
    edge = os.environ[EDGE_URL_ENV]
    headers = {"X-Forwarded-For": os.environ[SIGN_OUT_ADDRESS_ENV]}
    if not _throwaway_emails:
        email = f"logout-{uuid.uuid4().hex}@example.com"
        body = {"email": email, "password": THROWAWAY_PASSWORD, "password_confirm": THROWAWAY_PASSWORD}
        httpx.post(f"{edge}/api/auth/register", json=body, headers=headers, timeout=20).raise_for_status()
        _throwaway_emails.append(email)
    credentials = {"email": _throwaway_emails[0], "password": THROWAWAY_PASSWORD}
    reply = httpx.post(f"{edge}/api/auth/login", json=credentials, headers=headers, timeout=20)
    reply.raise_for_status()
    return f"Bearer {reply.json()['access_token']}"


def _throwaway_session_id() -> str:
    """A session of the throwaway account that nothing else uses: one a case may end."""
    bearer = _throwaway_bearer()
    edge = os.environ[EDGE_URL_ENV]
    headers = {"X-Forwarded-For": os.environ[SIGN_OUT_ADDRESS_ENV], "Authorization": bearer}
    reply = httpx.get(f"{edge}/api/auth/sessions", headers=headers, timeout=20)
    reply.raise_for_status()
    session_id: str = next(item["id"] for item in reply.json()["items"] if item["current"])
    return session_id


@schemathesis.auth()
class TheTestsSession:
    """The person the test signed up, for every operation but those ending sessions, changing the
    password or deleting the account, which get a session of their own."""

    def get(self, case: Any, context: Any) -> str:
        return os.environ[ACCESS_TOKEN_ENV]

    def set(self, case: Any, data: str, context: Any) -> None:
        route = (case.method.upper(), case.operation.path)
        if route == ACCOUNT_DELETION:
            authorization = _fresh_bearer()
        elif route in THROWAWAY_ROUTES:
            authorization = _throwaway_bearer()
        else:
            authorization = f"Bearer {data}"
        case.headers = {**(case.headers or {}), "Authorization": authorization}


# Every image of the run is a 1×1 PNG: an enlarged output of at most 10000 a side stays within the
# pixel limit (100 MP by default).
_LARGEST_ENLARGED_SIDE = 10_000
_WEBP_MAX_SIDE = 16383


def _possible_options(body: dict[str, Any]) -> None:
    """What the schema cannot say about options: `fill` needs both sides, WebP holds 16383 pixels a
    side, and the output of the image (a 1×1 PNG here) must stay within the pixel limit."""
    if body.get("fit") == "fill":
        for side in ("width", "height"):
            if not isinstance(body.get(side), int):
                body[side] = 1
    limit = _WEBP_MAX_SIDE if body.get("format", "webp") == "webp" else None
    if body.get("enlarge") is True:
        limit = min(limit or _LARGEST_ENLARGED_SIDE, _LARGEST_ENLARGED_SIDE)
    for side in ("width", "height"):
        if limit is not None and isinstance(body.get(side), int) and body[side] > limit:
            body[side] = limit


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    route = (case.method.upper(), case.operation.path)
    body, query = case.body, case.query
    valid_body = isinstance(body, dict) and _meant_valid(case, ParameterLocation.BODY)
    if route == ("POST", "/api/auth/register") and valid_body:
        if isinstance(body.get("password"), str) and isinstance(body.get("password_confirm"), str):
            body["password_confirm"] = body["password"]
        if isinstance(body.get("email"), str):
            # JSON Schema's `email` format allows reserved domains (.test, .invalid) that sign-up refuses.
            local, _, _ = body["email"].rpartition("@")
            body["email"] = f"{local}@example.com"
    elif route == ("POST", "/api/auth/password") and valid_body:
        # The throwaway account's password, changed to itself: it stays the one the next sign-in uses.
        body["current_password"] = body["new_password"] = THROWAWAY_PASSWORD
    elif route == ACCOUNT_DELETION and valid_body:
        body["password"] = THROWAWAY_PASSWORD
    elif route == ("POST", "/api/images") and valid_body:
        _possible_options(body)
        if "file" in body:
            # Option fields must come before the file (it streams on as soon as its part begins).
            del body["file"]
            body["file"] = TINY_PNG
    elif route == ("POST", "/api/batches") and valid_body:
        _possible_options(body)
        if isinstance(body.get("file"), list):
            # As for an upload: the options first, then a few tiny images.
            count = min(max(len(body.pop("file")), 1), 3)
            body["file"] = [TINY_PNG] * count
    elif route == ("POST", "/api/images/from-url") and valid_body and isinstance(body.get("url"), str):
        # An image the test serves on 127.0.0.1, which the test stack's allow-list lets svc_images reach.
        body["url"] = f"{os.environ[EDGE_URL_ENV]}/{TINY_PNG_NAME}"
    elif route == ("POST", "/api/images/{image_id}/conversions") and valid_body:
        _possible_options(body)
    elif route == ("GET", "/api/images") and isinstance(query, dict) and _meant_valid(case, ParameterLocation.QUERY):
        if query.get("cursor") and (issued := _listed(ISSUED_CURSORS_ENV)):
            query["cursor"] = random.choice(issued)
    elif route == ("GET", "/api/batches") and isinstance(query, dict) and _meant_valid(case, ParameterLocation.QUERY):
        # A cursor is valid only as issued (signed); the run has no second page of batches to take one from.
        query.pop("cursor", None)
    elif route == ("GET", "/api/links/{image_id}/{variant}") and all(
        _meant_valid(case, location) for location in (ParameterLocation.PATH, ParameterLocation.QUERY)
    ):
        # A link is valid only as issued (signed): the others are not found, as documented.
        if (issued_links := _listed(ISSUED_LINKS_ENV)) and isinstance(query, dict):
            path, _, link_query = random.choice(issued_links).partition("?")
            *_, image_id, variant = path.split("/")
            case.path_parameters |= {"image_id": image_id, "variant": variant}
            query |= dict(pair.split("=", 1) for pair in link_query.split("&"))
    elif route == ("DELETE", "/api/auth/sessions/{session_id}") and _meant_valid(case, ParameterLocation.PATH):
        case.path_parameters["session_id"] = _throwaway_session_id()
    elif route == ("DELETE", "/api/images/{image_id}"):
        # The images the test uploaded stay for the other operations (a listing links to them): a
        # deletion gets the id as generated, or of an image the stateful phase uploaded itself.
        if (case.path_parameters or {}).get("image_id") in _listed(IMAGE_IDS_ENV):
            case.path_parameters["image_id"] = str(uuid.uuid4())
    elif "image_id" in (case.path_parameters or {}) and _meant_valid(case, ParameterLocation.PATH):
        # Half of the valid cases name an image of this person; the others, any id (404).
        known = _listed(IMAGE_IDS_ENV)
        if known and random.random() < 0.5:
            case.path_parameters["image_id"] = random.choice(known)
            if "name" in case.path_parameters:  # a variant: one every image gets
                case.path_parameters["name"] = "optimized"
    if route == ("POST", "/api/images/{image_id}/links") and valid_body and isinstance(body.get("variant"), str):
        # What every image gets; a width exists only for an image wider than it (the tiny PNG has none).
        body["variant"] = random.choice(("original", "optimized", "thumbnail"))
    return case
