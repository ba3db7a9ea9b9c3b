"""An image's processing options: read from a request, stored with the image, and turned into the
spec of its `optimized` output. Images from before options (NULL) and uploads that give none get the
default spec, exactly what every image got before.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pixelflow.images.v1 import images_pb2
from pixelflow.options import ProcessingOptions, check_output, options_from_message
from pixelflow.outputs import OutputSpec
from svc_images.outputs import OPTIMIZED


def requested(message: images_pb2.ProcessingOptions | None) -> ProcessingOptions:
    """The options a request carries, checked (InvalidArgument naming the field); defaults when none."""
    return options_from_message(message if message is not None else images_pb2.ProcessingOptions())


def check_for_image(options: ProcessingOptions, *, width: int, height: int, max_pixels: int, frames: int = 1) -> None:
    """Refuses options whose output of a `width` × `height` original (of `frames` frames, when known)
    would pass `max_pixels`."""
    check_output(width, height, options, max_pixels=max_pixels, frames=frames)


def stored(options: dict[str, Any] | None) -> ProcessingOptions | None:
    return ProcessingOptions.from_dict(options) if options is not None else None


def with_options(specs: tuple[OutputSpec, ...], options: ProcessingOptions | None) -> tuple[OutputSpec, ...]:
    """`specs` with `optimized` made as `options` say (other outputs, such as variants, unchanged).
    The defaults leave the default spec as it is, its quality and effort from the settings."""
    if options is None or options == ProcessingOptions():
        return specs
    return tuple(
        replace(
            spec,
            format=options.format,
            quality=options.quality,
            max_width=options.width or 0,
            max_height=options.height or 0,
            fit=options.fit,
            enlarge=options.enlarge,
        )
        if spec.name == OPTIMIZED
        else spec
        for spec in specs
    )
