"""Temporary links: a signed, expiring grant to one file of one image, usable without a token.

Nothing is stored: the link is its own record. Its signature covers the image, the image's owner,
the variant and the expiry, so changing any of them makes another link that was never signed; and
every use looks the image up again, so a link to an image that no longer exists stops at once.
The expiry is rounded up to a window boundary: asked again within the window, the same variant
gets the same link, and a browser's cache of its bytes keeps working across renewals.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from pixelflow.errors import Expired, InvalidArgument, NotFound
from pixelflow.links import ORIGINAL, VARIANT_NAMES_DOC, is_variant_name
from pixelflow.media.storage import ObjectStore
from svc_images.downloads import Opened, open_file, stored_output
from svc_images.library import find_image, get_image
from svc_images.records import ImageRecord, load_record

_FORMAT = b"pixelflow link v1"
_NOT_A_LINK = "link not found"


def link_key(secret: str) -> bytes:
    """The signing key, kept apart from other uses of the same secret."""
    return hmac.new(secret.encode(), b"pixelflow temporary link", hashlib.sha256).digest()


@dataclass(frozen=True)
class LinkPolicy:
    key: bytes
    default_seconds: int
    min_seconds: int
    max_seconds: int
    window_seconds: int


@dataclass(frozen=True)
class Link:
    image_id: str
    variant: str
    # Unix seconds.
    expires: int
    signature: str


def _now() -> float:
    return datetime.now(UTC).timestamp()


def sign(*, key: bytes, image_id: str, owner_id: str, variant: str, expires: int) -> str:
    # Fields joined by a byte none of them may contain (ids are UUIDs, names match VARIANT_PATTERN).
    message = b"\n".join((_FORMAT, image_id.encode(), owner_id.encode(), variant.encode(), str(expires).encode()))
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).rstrip(b"=").decode()


def expiry(*, expires_in_seconds: int, policy: LinkPolicy, now: float) -> int:
    """The moment a link asked for now lasts to: at least what was asked, rounded up to the window."""
    seconds = expires_in_seconds or policy.default_seconds
    if not policy.min_seconds <= seconds <= policy.max_seconds:
        raise InvalidArgument(
            f"expires_in must be between {policy.min_seconds} and {policy.max_seconds} seconds", field="expires_in"
        )
    window = policy.window_seconds
    return math.ceil((now + seconds) / window) * window


async def create_link(
    *, owner_id: str, image_id: str, variant: str, expires_in_seconds: int, policy: LinkPolicy
) -> Link:
    """A link to a file the owner's image has now (an output not rendered yet cannot be linked)."""
    if not is_variant_name(variant):
        raise InvalidArgument(f"variant must be one of: {VARIANT_NAMES_DOC}", field="variant")
    image = await get_image(owner_id=owner_id, image_id=image_id)
    if variant != ORIGINAL:
        stored_output(image, variant)
    expires = expiry(expires_in_seconds=expires_in_seconds, policy=policy, now=_now())
    signature = sign(
        key=policy.key, image_id=str(image.id), owner_id=str(image.user_id), variant=variant, expires=expires
    )
    return Link(image_id=str(image.id), variant=variant, expires=expires, signature=signature)


async def verified_image(*, link: Link, key: bytes, now: float | None = None) -> ImageRecord:
    """The image a link grants, if its signature is this service's and it has not expired.

    An altered link and one to an image that no longer exists answer alike (not found): neither
    tells whether some other image exists. Only a genuine link that ran out says so (410).
    """
    if not is_variant_name(link.variant):  # never signed, and kept out of the signed message's framing
        raise NotFound(_NOT_A_LINK)
    try:
        image = await find_image(image_id=link.image_id)
    except NotFound as exc:
        raise NotFound(_NOT_A_LINK) from exc
    expected = sign(
        key=key, image_id=str(image.id), owner_id=str(image.user_id), variant=link.variant, expires=link.expires
    )
    # The id as written in the link: the UUID parser accepts other spellings of the same id.
    if link.image_id != str(image.id) or not hmac.compare_digest(expected.encode(), link.signature.encode()):
        raise NotFound(_NOT_A_LINK)
    if link.expires <= (_now() if now is None else now):
        raise Expired("this link has expired: ask for a new one")
    return await load_record(image)


@asynccontextmanager
async def open_link(*, link: Link, key: bytes, store: ObjectStore) -> AsyncIterator[Opened]:
    image = await verified_image(link=link, key=key)
    async with open_file(image=image, variant=link.variant, store=store) as opened:
        yield opened
