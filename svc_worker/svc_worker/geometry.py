"""An image shaped to an output spec's box: `inside` (aspect kept, within the box), `cover` (fills
the box, the overflow cropped around the centre) or `fill` (stretched to it), enlarged only when the
spec says so. The sizes come from `pixelflow.options.output_size`, the computation svc_images used to
accept the options; every frame of an animation is shaped alike."""

from __future__ import annotations

import pyvips

from pixelflow.options import ProcessingOptions, output_size
from pixelflow.outputs import OutputSpec
from svc_worker.encoders import encoder_of
from svc_worker.fit import Fitted, fit_within
from svc_worker.source import BrokenImage, Source


def spec_options(spec: OutputSpec) -> ProcessingOptions:
    """The geometry part of `spec` as options (its box, fit and enlarge, and its format's side)."""
    return ProcessingOptions(
        format=spec.format,
        width=spec.max_width or None,
        height=spec.max_height or None,
        fit=spec.fit,
        enlarge=spec.enlarge,
    )


def output_frames(source: Source, spec: OutputSpec) -> int:
    return source.frames if encoder_of(spec).animated else 1


def check_pixels(source: Source, specs: list[OutputSpec], *, max_pixels: int) -> None:
    """Refuses (BrokenImage) an output over `max_pixels` counted over its frames, the inputs' limit:
    svc_images checked it against the header, before the orientation turned the image."""
    for spec in specs:
        size = output_size(source.image.width, source.page_height, spec_options(spec))
        pixels = size.scaled_width * size.scaled_height * output_frames(source, spec)
        if pixels > max_pixels:
            raise BrokenImage(
                f"the {spec.name} output would be {size.scaled_width}×{size.scaled_height}"
                f" ({pixels:,} pixels with its frames), over the limit of {max_pixels:,}"
            )


def shape(image: pyvips.Image, *, page_height: int, frames: int, spec: OutputSpec) -> Fitted:
    """`image` (`frames` frames of `page_height` rows, stacked) shaped to `spec`."""
    max_side = encoder_of(spec).max_side
    if spec.fit == "inside" and not spec.enlarge:
        # The path of every image before options: byte for byte the same result.
        return fit_within(
            image,
            page_height=page_height,
            frames=frames,
            max_width=min(spec.max_width or max_side, max_side),
            max_height=min(spec.max_height or max_side, max_side),
        )
    size = output_size(image.width, page_height, spec_options(spec))
    scaled = _resize(image, page_height=page_height, frames=frames, width=size.scaled_width, page=size.scaled_height)
    if (size.width, size.height) != (size.scaled_width, size.scaled_height):
        left, top = (size.scaled_width - size.width) // 2, (size.scaled_height - size.height) // 2
        pages = [scaled.crop(left, i * size.scaled_height + top, size.width, size.height) for i in range(frames)]
        scaled = pages[0] if frames == 1 else pyvips.Image.arrayjoin(pages, across=1)
    if frames > 1:
        scaled = scaled.copy()
        scaled.set_type(pyvips.GValue.gint_type, "page-height", size.height)
    changed = size.width * size.height < image.width * page_height
    return Fitted(image=scaled, width=size.width, page_height=size.height, downscaled=changed)


def _resize(image: pyvips.Image, *, page_height: int, frames: int, width: int, page: int) -> pyvips.Image:
    if (width, page) == (image.width, page_height):
        return image
    scaled = image.resize(width / image.width, vscale=page / page_height)
    if scaled.width != width or scaled.height != page * frames:
        # resize rounds on its own: crop or pad by the stray row or column it may add or drop.
        scaled = scaled.gravity("north-west", width, page * frames, extend="copy")
    return scaled
