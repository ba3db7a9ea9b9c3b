import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImageStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMAGE_STATUS_UNSPECIFIED: _ClassVar[ImageStatus]
    IMAGE_STATUS_QUEUED: _ClassVar[ImageStatus]
    IMAGE_STATUS_PROCESSING: _ClassVar[ImageStatus]
    IMAGE_STATUS_DONE: _ClassVar[ImageStatus]
    IMAGE_STATUS_FAILED: _ClassVar[ImageStatus]
IMAGE_STATUS_UNSPECIFIED: ImageStatus
IMAGE_STATUS_QUEUED: ImageStatus
IMAGE_STATUS_PROCESSING: ImageStatus
IMAGE_STATUS_DONE: ImageStatus
IMAGE_STATUS_FAILED: ImageStatus

class Image(_message.Message):
    __slots__ = ("id", "user_id", "original_name", "status", "width", "height", "size_bytes", "optimized_size_bytes", "uploaded_at", "processed_at", "error", "content_type", "downscaled", "options", "optimized_content_type", "variants", "placeholder", "original_has_location")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZED_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPLOADED_AT_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_AT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOWNSCALED_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZED_CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_HAS_LOCATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    original_name: str
    status: ImageStatus
    width: int
    height: int
    size_bytes: int
    optimized_size_bytes: int
    uploaded_at: _timestamp_pb2.Timestamp
    processed_at: _timestamp_pb2.Timestamp
    error: str
    content_type: str
    downscaled: bool
    options: ProcessingOptions
    optimized_content_type: str
    variants: _containers.RepeatedCompositeFieldContainer[Variant]
    placeholder: str
    original_has_location: bool
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., original_name: _Optional[str] = ..., status: _Optional[_Union[ImageStatus, str]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., size_bytes: _Optional[int] = ..., optimized_size_bytes: _Optional[int] = ..., uploaded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., processed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., error: _Optional[str] = ..., content_type: _Optional[str] = ..., downscaled: _Optional[bool] = ..., options: _Optional[_Union[ProcessingOptions, _Mapping]] = ..., optimized_content_type: _Optional[str] = ..., variants: _Optional[_Iterable[_Union[Variant, _Mapping]]] = ..., placeholder: _Optional[str] = ..., original_has_location: _Optional[bool] = ...) -> None: ...

class ProcessingOptions(_message.Message):
    __slots__ = ("format", "quality", "width", "height", "fit", "enlarge")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FIT_FIELD_NUMBER: _ClassVar[int]
    ENLARGE_FIELD_NUMBER: _ClassVar[int]
    format: str
    quality: int
    width: int
    height: int
    fit: str
    enlarge: bool
    def __init__(self, format: _Optional[str] = ..., quality: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., fit: _Optional[str] = ..., enlarge: _Optional[bool] = ...) -> None: ...

class ConvertRequest(_message.Message):
    __slots__ = ("id", "options")
    ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    options: ProcessingOptions
    def __init__(self, id: _Optional[str] = ..., options: _Optional[_Union[ProcessingOptions, _Mapping]] = ...) -> None: ...

class Variant(_message.Message):
    __slots__ = ("name", "content_type", "width", "height", "size_bytes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    def __init__(self, name: _Optional[str] = ..., content_type: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class UploadMetadata(_message.Message):
    __slots__ = ("filename", "content_type", "declared_size", "options", "batch_id")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DECLARED_SIZE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    filename: str
    content_type: str
    declared_size: int
    options: ProcessingOptions
    batch_id: str
    def __init__(self, filename: _Optional[str] = ..., content_type: _Optional[str] = ..., declared_size: _Optional[int] = ..., options: _Optional[_Union[ProcessingOptions, _Mapping]] = ..., batch_id: _Optional[str] = ...) -> None: ...

class UploadRequest(_message.Message):
    __slots__ = ("metadata", "chunk")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    metadata: UploadMetadata
    chunk: bytes
    def __init__(self, metadata: _Optional[_Union[UploadMetadata, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class GetImageRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetLatestImageRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListImagesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListImagesResponse(_message.Message):
    __slots__ = ("images", "next_page_token")
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedCompositeFieldContainer[Image]
    next_page_token: str
    def __init__(self, images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DownloadOptimizedRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DownloadHeader(_message.Message):
    __slots__ = ("content_type", "content_length", "etag", "filename")
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    content_length: int
    etag: str
    filename: str
    def __init__(self, content_type: _Optional[str] = ..., content_length: _Optional[int] = ..., etag: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class DownloadChunk(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: DownloadHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[DownloadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class StartProcessingRequest(_message.Message):
    __slots__ = ("image_id", "backfill")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    BACKFILL_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    backfill: bool
    def __init__(self, image_id: _Optional[str] = ..., backfill: _Optional[bool] = ...) -> None: ...

class OutputSpec(_message.Message):
    __slots__ = ("name", "format", "quality", "effort", "max_width", "max_height", "key", "fit", "enlarge", "crop", "only_if_narrower", "early")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    EFFORT_FIELD_NUMBER: _ClassVar[int]
    MAX_WIDTH_FIELD_NUMBER: _ClassVar[int]
    MAX_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    FIT_FIELD_NUMBER: _ClassVar[int]
    ENLARGE_FIELD_NUMBER: _ClassVar[int]
    CROP_FIELD_NUMBER: _ClassVar[int]
    ONLY_IF_NARROWER_FIELD_NUMBER: _ClassVar[int]
    EARLY_FIELD_NUMBER: _ClassVar[int]
    name: str
    format: str
    quality: int
    effort: int
    max_width: int
    max_height: int
    key: str
    fit: str
    enlarge: bool
    crop: bool
    only_if_narrower: bool
    early: bool
    def __init__(self, name: _Optional[str] = ..., format: _Optional[str] = ..., quality: _Optional[int] = ..., effort: _Optional[int] = ..., max_width: _Optional[int] = ..., max_height: _Optional[int] = ..., key: _Optional[str] = ..., fit: _Optional[str] = ..., enlarge: _Optional[bool] = ..., crop: _Optional[bool] = ..., only_if_narrower: _Optional[bool] = ..., early: _Optional[bool] = ...) -> None: ...

class OutputResult(_message.Message):
    __slots__ = ("name", "key", "content_type", "width", "height", "size_bytes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    key: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    def __init__(self, name: _Optional[str] = ..., key: _Optional[str] = ..., content_type: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class ProcessingTicket(_message.Message):
    __slots__ = ("image", "original_key", "optimized_key", "should_process", "outputs")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_KEY_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZED_KEY_FIELD_NUMBER: _ClassVar[int]
    SHOULD_PROCESS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    image: Image
    original_key: str
    optimized_key: str
    should_process: bool
    outputs: _containers.RepeatedCompositeFieldContainer[OutputSpec]
    def __init__(self, image: _Optional[_Union[Image, _Mapping]] = ..., original_key: _Optional[str] = ..., optimized_key: _Optional[str] = ..., should_process: _Optional[bool] = ..., outputs: _Optional[_Iterable[_Union[OutputSpec, _Mapping]]] = ...) -> None: ...

class CompleteProcessingRequest(_message.Message):
    __slots__ = ("image_id", "width", "height", "optimized_size_bytes", "results", "placeholder", "original_has_location", "backfill")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZED_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_HAS_LOCATION_FIELD_NUMBER: _ClassVar[int]
    BACKFILL_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    width: int
    height: int
    optimized_size_bytes: int
    results: _containers.RepeatedCompositeFieldContainer[OutputResult]
    placeholder: str
    original_has_location: bool
    backfill: bool
    def __init__(self, image_id: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., optimized_size_bytes: _Optional[int] = ..., results: _Optional[_Iterable[_Union[OutputResult, _Mapping]]] = ..., placeholder: _Optional[str] = ..., original_has_location: _Optional[bool] = ..., backfill: _Optional[bool] = ...) -> None: ...

class FailProcessingRequest(_message.Message):
    __slots__ = ("image_id", "error", "backfill")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    BACKFILL_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    error: str
    backfill: bool
    def __init__(self, image_id: _Optional[str] = ..., error: _Optional[str] = ..., backfill: _Optional[bool] = ...) -> None: ...

class ReportPreviewRequest(_message.Message):
    __slots__ = ("image_id", "results", "placeholder", "original_has_location")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_HAS_LOCATION_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    results: _containers.RepeatedCompositeFieldContainer[OutputResult]
    placeholder: str
    original_has_location: bool
    def __init__(self, image_id: _Optional[str] = ..., results: _Optional[_Iterable[_Union[OutputResult, _Mapping]]] = ..., placeholder: _Optional[str] = ..., original_has_location: _Optional[bool] = ...) -> None: ...

class GetUsageRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Usage(_message.Message):
    __slots__ = ("used_bytes", "quota_bytes")
    USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    QUOTA_BYTES_FIELD_NUMBER: _ClassVar[int]
    used_bytes: int
    quota_bytes: int
    def __init__(self, used_bytes: _Optional[int] = ..., quota_bytes: _Optional[int] = ...) -> None: ...

class DownloadVariantRequest(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DownloadOriginalRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CreateLinkRequest(_message.Message):
    __slots__ = ("id", "variant", "expires_in_seconds")
    ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    variant: str
    expires_in_seconds: int
    def __init__(self, id: _Optional[str] = ..., variant: _Optional[str] = ..., expires_in_seconds: _Optional[int] = ...) -> None: ...

class Link(_message.Message):
    __slots__ = ("image_id", "variant", "expires", "signature")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    variant: str
    expires: int
    signature: str
    def __init__(self, image_id: _Optional[str] = ..., variant: _Optional[str] = ..., expires: _Optional[int] = ..., signature: _Optional[str] = ...) -> None: ...

class DownloadLinkRequest(_message.Message):
    __slots__ = ("image_id", "variant", "expires", "signature")
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    image_id: str
    variant: str
    expires: int
    signature: str
    def __init__(self, image_id: _Optional[str] = ..., variant: _Optional[str] = ..., expires: _Optional[int] = ..., signature: _Optional[str] = ...) -> None: ...

class ImportFromUrlRequest(_message.Message):
    __slots__ = ("url",)
    URL_FIELD_NUMBER: _ClassVar[int]
    url: str
    def __init__(self, url: _Optional[str] = ...) -> None: ...

class DeleteImageRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteImageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExportImagesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExportEntry(_message.Message):
    __slots__ = ("image", "kind", "path", "size_bytes", "content_type")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    image: Image
    kind: str
    path: str
    size_bytes: int
    content_type: str
    def __init__(self, image: _Optional[_Union[Image, _Mapping]] = ..., kind: _Optional[str] = ..., path: _Optional[str] = ..., size_bytes: _Optional[int] = ..., content_type: _Optional[str] = ...) -> None: ...

class ExportChunk(_message.Message):
    __slots__ = ("entry", "chunk")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    entry: ExportEntry
    chunk: bytes
    def __init__(self, entry: _Optional[_Union[ExportEntry, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class PurgeOwnerRequest(_message.Message):
    __slots__ = ("owner_id",)
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    def __init__(self, owner_id: _Optional[str] = ...) -> None: ...

class PurgeOwnerResponse(_message.Message):
    __slots__ = ("images_deleted",)
    IMAGES_DELETED_FIELD_NUMBER: _ClassVar[int]
    images_deleted: int
    def __init__(self, images_deleted: _Optional[int] = ...) -> None: ...

class CreateBatchRequest(_message.Message):
    __slots__ = ("options",)
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    options: ProcessingOptions
    def __init__(self, options: _Optional[_Union[ProcessingOptions, _Mapping]] = ...) -> None: ...

class GetBatchRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class Batch(_message.Message):
    __slots__ = ("id", "total", "created_at", "options", "queued", "processing", "done", "failed", "images")
    ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    id: str
    total: int
    created_at: _timestamp_pb2.Timestamp
    options: ProcessingOptions
    queued: int
    processing: int
    done: int
    failed: int
    images: _containers.RepeatedCompositeFieldContainer[Image]
    def __init__(self, id: _Optional[str] = ..., total: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., options: _Optional[_Union[ProcessingOptions, _Mapping]] = ..., queued: _Optional[int] = ..., processing: _Optional[int] = ..., done: _Optional[int] = ..., failed: _Optional[int] = ..., images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ...) -> None: ...

class ListBatchesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListBatchesResponse(_message.Message):
    __slots__ = ("batches", "next_page_token")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[Batch]
    next_page_token: str
    def __init__(self, batches: _Optional[_Iterable[_Union[Batch, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExportBatchRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...
