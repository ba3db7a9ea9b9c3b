"""svc_images: one service class composed of its capabilities, each a module of entrypoints.

The runtime collects entrypoints through inheritance; the dependencies they share are declared in
`svc_images.dependencies.ImagesBase`.
"""

from __future__ import annotations

from pixelflow.images.v1 import images_pb2
from svc_images.capabilities.batches import BatchesCapability
from svc_images.capabilities.conversions import ConversionsCapability
from svc_images.capabilities.deletion import DeletionCapability
from svc_images.capabilities.downloads import DownloadsCapability
from svc_images.capabilities.export import ExportCapability
from svc_images.capabilities.imports import ImportCapability
from svc_images.capabilities.library import LibraryCapability
from svc_images.capabilities.links import LinksCapability
from svc_images.capabilities.monitoring import MonitoringCapability
from svc_images.capabilities.processing import ProcessingCapability
from svc_images.capabilities.upload import UploadCapability
from svc_images.dependencies import TORTOISE_APP, TORTOISE_MODELS

__all__ = ["TORTOISE_APP", "TORTOISE_MODELS", "ImagesService"]


class ImagesService(
    ImportCapability,
    UploadCapability,
    LibraryCapability,
    ProcessingCapability,
    DownloadsCapability,
    LinksCapability,
    ConversionsCapability,
    MonitoringCapability,
    DeletionCapability,
    ExportCapability,
    BatchesCapability,
):
    name = "images"
    grpc_services = (
        images_pb2.DESCRIPTOR.services_by_name["Images"],
        images_pb2.DESCRIPTOR.services_by_name["ImageProcessing"],
    )
