"""What svc_images asks the worker to make of an original (output specs), and where each lands.

svc_images decides an image's outputs; svc_worker only renders the specs it is given and reports
one result per spec. Today there is one: `optimized`, WebP at the configured quality, full size
within WebP's own limit. The image JSON (`optimized_size_bytes`, `optimized_url`, width, height,
`downscaled`) is derived from that one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pixelflow.outputs import FORMATS, OutputSpec

OPTIMIZED = "optimized"


@dataclass(frozen=True)
class PlannedOutput:
    """A spec for one image: the object key it is stored at follows from the image and the name."""

    spec: OutputSpec
    key: str


def default_specs(*, webp_quality: int, webp_effort: int) -> tuple[OutputSpec, ...]:
    return (OutputSpec(name=OPTIMIZED, format="webp", quality=webp_quality, effort=webp_effort),)


def output_key(*, owner_id: uuid.UUID, image_id: uuid.UUID, spec: OutputSpec) -> str:
    """Every output of an image under one prefix. Objects written before outputs were a list keep
    their old key (`optimized/<user>/<image>.webp`): the key is stored with each result."""
    return f"outputs/{owner_id}/{image_id}/{spec.name}.{FORMATS[spec.format].extension}"


def plan(*, owner_id: uuid.UUID, image_id: uuid.UUID, specs: tuple[OutputSpec, ...]) -> tuple[PlannedOutput, ...]:
    return tuple(
        PlannedOutput(spec=spec, key=output_key(owner_id=owner_id, image_id=image_id, spec=spec)) for spec in specs
    )
