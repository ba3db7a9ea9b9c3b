"""Processing: svc_worker's status reports (with the internal service credential), each told to the
person's browsers once stored, and the timer that re-enqueues stuck images."""

from __future__ import annotations

from datetime import timedelta

from pixelflow.images.v1 import images_pb2
from pixelflow.runtime import AuthKind, Call, rpc, timer
from svc_images import processing
from svc_images.dependencies import ImagesBase
from svc_images.messages import image_message, rendered_outputs, ticket_message


class ProcessingCapability(ImagesBase):
    @rpc(auth=AuthKind.SERVICE)
    async def start_processing(
        self, request: images_pb2.StartProcessingRequest, call: Call
    ) -> images_pb2.ProcessingTicket:
        ticket = ticket_message(await processing.start_processing(image_id=request.image_id, specs=self.output_specs))
        if ticket.should_process:
            await self.events.image_updated(ticket.image)
        return ticket

    @rpc(auth=AuthKind.SERVICE)
    async def complete_processing(self, request: images_pb2.CompleteProcessingRequest, call: Call) -> images_pb2.Image:
        image = await processing.complete_processing(
            image_id=request.image_id, results=rendered_outputs(request), specs=self.output_specs
        )
        # A deleted image: an empty answer, so the worker's job ends quietly.
        return images_pb2.Image() if image is None else await self._updated(image_message(image))

    @rpc(auth=AuthKind.SERVICE)
    async def fail_processing(self, request: images_pb2.FailProcessingRequest, call: Call) -> images_pb2.Image:
        image = await processing.fail_processing(image_id=request.image_id, error=request.error)
        return images_pb2.Image() if image is None else await self._updated(image_message(image))

    async def _updated(self, image: images_pb2.Image) -> images_pb2.Image:
        await self.events.image_updated(image)
        return image

    @timer(setting="reconcile_interval_seconds")
    async def reconcile(self) -> None:
        await processing.requeue_stuck(
            queue=self.jobs, older_than=timedelta(seconds=self.settings.reconcile_after_seconds)
        )
