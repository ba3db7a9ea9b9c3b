"""What svc_images asks the worker to make of an original (output specs), and where each lands.

svc_images decides an image's outputs; svc_worker only renders the specs it is given and reports
one result per spec: `optimized`, WebP at the configured quality, full size within WebP's own limit
(the image JSON's `optimized_size_bytes`, `optimized_url`, width, height, `downscaled` are derived
from it), and the variants: `thumbnail` (a square, centre-cropped, rendered and reported first) and
the responsive widths `w<width>` (each only when the image is wider).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pixelflow.outputs import FORMATS, OutputSpec

OPTIMIZED = "optimized"
THUMBNAIL = "thumbnail"


@dataclass(frozen=True)
class PlannedOutput:
    """A spec for one image: the object key it is stored at follows from the image and the name."""

    spec: OutputSpec
    key: str


def default_specs(*, webp_quality: int, webp_effort: int) -> tuple[OutputSpec, ...]:
    return (OutputSpec(name=OPTIMIZED, format="webp", quality=webp_quality, effort=webp_effort),)


def variant_specs(
    *, widths: list[int], thumbnail_size: int, webp_quality: int, webp_effort: int
) -> tuple[OutputSpec, ...]:
    """The thumbnail (centre crop: the framing CSS `object-fit: cover` shows for every other size, and
    what the person expects; libvips' attention crop may pick a busy background instead) and the
    responsive widths, at the `optimized` output's quality (their effort: a setting of its own)."""
    thumbnail = OutputSpec(
        name=THUMBNAIL,
        format="webp",
        quality=webp_quality,
        effort=webp_effort,
        max_width=thumbnail_size,
        max_height=thumbnail_size,
        crop=True,
        early=True,
    )
    responsive = tuple(
        OutputSpec(
            name=width_name(width),
            format="webp",
            quality=webp_quality,
            effort=webp_effort,
            max_width=width,
            only_if_narrower=True,
        )
        for width in widths
    )
    return (thumbnail, *responsive)


def width_name(width: int) -> str:
    return f"w{width}"


def output_key(*, owner_id: uuid.UUID, image_id: uuid.UUID, spec: OutputSpec) -> str:
    """Every output of an image under one prefix. Objects written before outputs were a list keep
    their old key (`optimized/<user>/<image>.webp`): the key is stored with each result."""
    return f"outputs/{owner_id}/{image_id}/{spec.name}.{FORMATS[spec.format].extension}"


def plan(*, owner_id: uuid.UUID, image_id: uuid.UUID, specs: tuple[OutputSpec, ...]) -> tuple[PlannedOutput, ...]:
    return tuple(
        PlannedOutput(spec=spec, key=output_key(owner_id=owner_id, image_id=image_id, spec=spec)) for spec in specs
    )
