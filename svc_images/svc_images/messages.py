"""Protobuf <-> domain records: the only place svc_images' messages are built or read."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pixelflow.images.v1 import images_pb2
from pixelflow.options import options_message
from pixelflow.outputs import FORMATS, OutputResult, result_of, spec_message
from pixelflow.protobuf import timestamp
from svc_images.downloads import Download
from svc_images.links import Link
from svc_images.models import Status
from svc_images.outputs import OPTIMIZED
from svc_images.processing import Report, Ticket
from svc_images.records import ImageRecord

_STATUS = {
    Status.QUEUED: images_pb2.IMAGE_STATUS_QUEUED,
    Status.PROCESSING: images_pb2.IMAGE_STATUS_PROCESSING,
    Status.DONE: images_pb2.IMAGE_STATUS_DONE,
    Status.FAILED: images_pb2.IMAGE_STATUS_FAILED,
}


def image_message(image: ImageRecord) -> images_pb2.Image:
    """Width, height, size and `downscaled` of a done image are its `optimized` output's."""
    optimized = image.optimized if image.status is Status.DONE else None
    return images_pb2.Image(
        id=str(image.id),
        user_id=str(image.user_id),
        original_name=image.original_name,
        status=_STATUS[image.status],
        width=optimized.width if optimized else image.width,
        height=optimized.height if optimized else image.height,
        size_bytes=image.size_bytes,
        optimized_size_bytes=image.optimized.size_bytes if image.optimized else 0,
        uploaded_at=timestamp(image.uploaded_at),
        processed_at=timestamp(image.processed_at),
        error=image.error or "",
        content_type=image.content_type,
        # Turning keeps the pixel count; only scaling to fit the output format lowers it.
        downscaled=optimized is not None and 0 < optimized.width * optimized.height < image.width * image.height,
        options=options_message(image.options) if image.options is not None else None,
        optimized_content_type=optimized.content_type if optimized else "",
        variants=[variant_message(output) for output in visible_variants(image)],
        placeholder=image.placeholder or "",
        original_has_location=image.original_has_location,
    )


def visible_variants(image: ImageRecord) -> list[OutputResult]:
    """Every stored output of a done image; while it is processing, the early ones already stored
    (the thumbnail); none before or after a failure. Smallest first (the order of a srcset)."""
    if image.status not in (Status.DONE, Status.PROCESSING):
        return []
    return sorted(image.outputs, key=lambda output: (output.width * output.height, output.name))


def variant_message(output: OutputResult) -> images_pb2.Variant:
    return images_pb2.Variant(
        name=output.name,
        content_type=output.content_type,
        width=output.width,
        height=output.height,
        size_bytes=output.size_bytes,
    )


def ticket_message(ticket: Ticket) -> images_pb2.ProcessingTicket:
    optimized = next((output.key for output in ticket.outputs if output.spec.name == OPTIMIZED), "")
    return images_pb2.ProcessingTicket(
        image=image_message(ticket.image),
        original_key=ticket.image.original_key,
        optimized_key=optimized,
        should_process=ticket.should_process,
        outputs=[spec_message(output.spec, key=output.key) for output in ticket.outputs],
    )


def processing_report(request: images_pb2.CompleteProcessingRequest) -> Report:
    return Report(
        results=rendered_outputs(request),
        placeholder=request.placeholder,
        original_has_location=request.original_has_location,
    )


def preview_report(request: images_pb2.ReportPreviewRequest) -> Report:
    return Report(
        results=[result_of(result) for result in request.results],
        placeholder=request.placeholder,
        original_has_location=request.original_has_location,
    )


def rendered_outputs(request: images_pb2.CompleteProcessingRequest) -> list[OutputResult]:
    """The reported results; a worker older than `results` reports its one WebP in the old fields
    (its key: the planned one)."""
    if not request.results and request.optimized_size_bytes:
        legacy = images_pb2.OutputResult(
            name=OPTIMIZED,
            content_type=FORMATS["webp"].content_type,
            width=request.width,
            height=request.height,
            size_bytes=request.optimized_size_bytes,
        )
        return [result_of(legacy)]
    return [result_of(result) for result in request.results]


async def download_chunks(download: Download, chunks: AsyncIterator[bytes]) -> AsyncIterator[images_pb2.DownloadChunk]:
    """A file as the download methods send it: the header, then its bytes."""
    header = images_pb2.DownloadHeader(
        content_type=download.content_type, content_length=download.size, etag=download.etag, filename=download.filename
    )
    yield images_pb2.DownloadChunk(header=header)
    async for chunk in chunks:
        yield images_pb2.DownloadChunk(chunk=chunk)


def link_message(link: Link) -> images_pb2.Link:
    return images_pb2.Link(image_id=link.image_id, variant=link.variant, expires=link.expires, signature=link.signature)
