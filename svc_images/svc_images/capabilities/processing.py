"""Processing: svc_worker's status reports (with the internal service credential), each told to the
person's browsers once stored, and the timer that re-enqueues stuck images."""

from __future__ import annotations

from datetime import timedelta

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc, timer
from svc_images import processing, variants
from svc_images.capabilities.batches import announce_image
from svc_images.dependencies import ImagesBase
from svc_images.messages import image_message, preview_report, processing_report, ticket_message
from svc_images.records import ImageRecord


class ProcessingCapability(ImagesBase):
    @rpc(auth=AuthKind.SERVICE)
    async def start_processing(
        self, request: images_pb2.StartProcessingRequest, call: Call
    ) -> images_pb2.ProcessingTicket:
        if request.backfill:
            return ticket_message(await variants.start_backfill(image_id=request.image_id, specs=self.variant_specs))
        ticket = ticket_message(await processing.start_processing(image_id=request.image_id, specs=self.output_specs))
        if ticket.should_process:
            await self._updated(ticket.image)
        return ticket

    @rpc(auth=AuthKind.SERVICE)
    async def complete_processing(self, request: images_pb2.CompleteProcessingRequest, call: Call) -> images_pb2.Image:
        report = processing_report(request)
        image: ImageRecord | None
        if request.backfill:
            image = await variants.complete_backfill(image_id=request.image_id, report=report, specs=self.variant_specs)
        else:
            image = await processing.complete_processing(
                image_id=request.image_id, report=report, specs=self.output_specs
            )
        # A deleted image: an empty answer, so the worker's job ends quietly.
        return images_pb2.Image() if image is None else await self._updated(image_message(image))

    @rpc(auth=AuthKind.SERVICE)
    async def fail_processing(self, request: images_pb2.FailProcessingRequest, call: Call) -> images_pb2.Image:
        if request.backfill:
            return image_message(await variants.fail_backfill(image_id=request.image_id, error=request.error))
        image = await processing.fail_processing(image_id=request.image_id, error=request.error)
        return images_pb2.Image() if image is None else await self._updated(image_message(image))

    @rpc(auth=AuthKind.SERVICE)
    async def report_preview(self, request: images_pb2.ReportPreviewRequest, call: Call) -> images_pb2.Image:
        """The thumbnail and placeholder, announced while the image is still `processing`."""
        image = await variants.report_preview(
            image_id=request.image_id, report=preview_report(request), specs=self.output_specs
        )
        if image is None:
            return image_message(await processing.current(image_id=request.image_id))
        return await self._updated(image_message(image))

    async def _updated(self, image: images_pb2.Image) -> images_pb2.Image:
        await self.events.image_updated(image)
        await announce_image(self.events, image_id=image.id)
        return image

    @timer(setting="reconcile_interval_seconds")
    async def reconcile(self) -> None:
        await processing.requeue_stuck(
            queue=self.jobs, older_than=timedelta(seconds=self.settings.reconcile_after_seconds)
        )

    @timer(setting="backfill_interval_seconds")
    async def backfill(self) -> None:
        """Older images' variants, a few jobs at a time while the queue is otherwise empty."""
        await variants.enqueue_backfill(queue=self.jobs, batch=self.settings.backfill_batch)
