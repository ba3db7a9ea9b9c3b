"""Processing options on gRPC (Upload's metadata, Convert), a database of the release before options
upgraded and read back, and the size computation every service shares."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import asyncpg
import grpc
import pytest
import pyvips

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.errors import ERROR_FIELD_KEY, InvalidArgument
from pixelflow.images.v1 import images_pb2, images_pb2_grpc
from pixelflow.options import ProcessingOptions, check_output, checked, output_size
from pixelflow.outputs import OutputSpec
from pixelflow.runtime.testing import RunningService, serve_for_test
from svc_images.migrations import MIGRATIONS
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from svc_worker.convert import BrokenImage, convert
from svc_worker.encoders import AVIF_EFFORT, avif_quality
from tests.support import formats
from tests.support.images import animated_gif
from tests.support.migrations import previous_release, upgrade
from tests.support.users import PASSWORD, unique_email
from tests.test_quota import ParkedQueue
from tools.avif_quality import CORPUS, ssim

SOURCE = formats.jpeg(formats.gradient(400, 300), Q=90)
INSERT_IMAGE = (
    "INSERT INTO images (id, user_id, original_name, content_type, original_key, status, width, height,"
    " size_bytes, generation, uploaded_at, updated_at) VALUES ($1, $2, 'old.png', 'image/png', 'k', 'queued',"
    " 640, 480, 5000, 0, now() - $3::interval, now())"
)


Auth = tuple[tuple[str, str], ...]


async def _session(auth_server: RunningService) -> tuple[uuid.UUID, Auth]:
    stub = auth_pb2_grpc.AuthStub(auth_server.channel)
    session = await stub.Register(auth_pb2.RegisterRequest(email=unique_email("options"), password=PASSWORD))
    return uuid.UUID(session.user.id), (("authorization", f"Bearer {session.access_token}"),)


def _upload(
    stub: images_pb2_grpc.ImagesStub, auth: Auth, options: images_pb2.ProcessingOptions
) -> Awaitable[images_pb2.Image]:
    async def requests() -> AsyncIterator[images_pb2.UploadRequest]:
        yield images_pb2.UploadRequest(metadata=images_pb2.UploadMetadata(filename="a.jpg", options=options))
        yield images_pb2.UploadRequest(chunk=SOURCE)

    call: Awaitable[images_pb2.Image] = stub.Upload(requests(), metadata=auth, timeout=30)
    return call


async def test_grpc_upload_and_convert_take_options(images_server: RunningService, auth_server: RunningService) -> None:
    stub = images_pb2_grpc.ImagesStub(images_server.channel)
    _, auth = await _session(auth_server)
    image = await _upload(stub, auth, images_pb2.ProcessingOptions(format="png", width=100, fit="inside"))
    assert (image.options.format, image.options.width, image.options.HasField("height")) == ("png", 100, False)
    assert (image.options.quality, image.options.fit, image.content_type) == (80, "inside", "image/jpeg")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _upload(stub, auth, images_pb2.ProcessingOptions(quality=0))
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert dict(refused.value.trailing_metadata())[ERROR_FIELD_KEY] == "quality"

    again = await stub.Convert(
        images_pb2.ConvertRequest(id=image.id, options=images_pb2.ProcessingOptions(format="avif", quality=50)),
        metadata=auth,
    )
    assert again.id != image.id
    assert (again.options.format, again.options.quality) == ("avif", 50)
    with pytest.raises(grpc.aio.AioRpcError) as fill:
        await stub.Convert(
            images_pb2.ConvertRequest(id=image.id, options=images_pb2.ProcessingOptions(fit="fill", height=9)),
            metadata=auth,
        )
    assert dict(fill.value.trailing_metadata())[ERROR_FIELD_KEY] == "width"
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.Convert(images_pb2.ConvertRequest(id=str(uuid.uuid4())), metadata=auth)
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND
    listed = await stub.ListImages(images_pb2.ListImagesRequest(), metadata=auth)
    assert [i.id for i in listed.images] == [again.id, image.id]


async def test_images_from_before_options_keep_the_default_output(
    images_settings: ImagesSettings, auth_server: RunningService, tmp_path: Path
) -> None:
    owner_id, auth = await _session(auth_server)
    old = uuid.uuid4()
    async with previous_release(MIGRATIONS, tmp_path, name="options_upgrade", last=3) as url:
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await db.execute(INSERT_IMAGE, old, owner_id, timedelta(hours=1))
        finally:
            await db.close()
        assert (await upgrade(MIGRATIONS, url))[0] == "4"  # then the later ones

        settings = images_settings.model_copy(update={"database_url": url})
        async with serve_for_test(ImagesService(settings, jobs=ParkedQueue())) as images:
            image = await images_pb2_grpc.ImagesStub(images.channel).GetImage(
                images_pb2.GetImageRequest(id=str(old)), metadata=auth
            )
            service = (("authorization", f"Service {settings.internal_token.get_secret_value()}"),)
            ticket = await images_pb2_grpc.ImageProcessingStub(images.channel).StartProcessing(
                images_pb2.StartProcessingRequest(image_id=str(old)), metadata=service
            )
        db = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            stored = await db.fetchval("SELECT options FROM images WHERE id = $1", old)
        finally:
            await db.close()
    assert stored is None
    assert (image.HasField("options"), image.width, image.height, image.original_name) == (False, 640, 480, "old.png")
    [spec] = [output for output in ticket.outputs if output.name == "optimized"]
    assert (spec.format, spec.quality, spec.max_width, spec.max_height, spec.fit, spec.enlarge) == (
        "webp",
        settings.webp_quality,
        0,
        0,
        "inside",
        False,
    )


@pytest.mark.parametrize(
    ("options", "source", "scaled", "output"),
    [
        (ProcessingOptions(), (20000, 100), (16383, 82), (16383, 82)),
        (ProcessingOptions(format="png"), (20000, 100), (20000, 100), (20000, 100)),
        # nothing to enlarge to without a box
        (ProcessingOptions(enlarge=True), (100, 50), (100, 50), (100, 50)),
        (ProcessingOptions(width=1000, enlarge=True), (100, 4000), (410, 16383), (410, 16383)),
        (ProcessingOptions(width=50, height=50, fit="cover"), (400, 100), (200, 50), (50, 50)),
        (ProcessingOptions(width=50, height=50, fit="cover"), (40, 10), (40, 10), (40, 10)),
        (ProcessingOptions(width=30, height=500, fit="fill"), (400, 100), (30, 100), (30, 100)),
    ],
)
def test_output_size(
    options: ProcessingOptions, source: tuple[int, int], scaled: tuple[int, int], output: tuple[int, int]
) -> None:
    size = output_size(*source, checked(options))
    assert ((size.scaled_width, size.scaled_height), (size.width, size.height)) == (scaled, output)


def test_limits_name_the_field() -> None:
    with pytest.raises(InvalidArgument) as past:
        check_output(100, 100, ProcessingOptions(format="png", height=16384, enlarge=True), max_pixels=1_000_000)
    assert past.value.field == "height"
    with pytest.raises(InvalidArgument) as webp:
        checked(ProcessingOptions(height=16384))
    assert webp.value.field == "height"
    assert checked(ProcessingOptions(format="avif", height=16384)).height == 16384


def test_avif_quality_follows_the_measured_table() -> None:
    assert [avif_quality(q) for q in (1, 50, 80, 100)] == [1, 35, 50, 100]
    qualities = [avif_quality(q) for q in range(1, 101)]
    assert qualities == sorted(qualities)
    assert all(1 <= q <= 100 for q in qualities)


def test_avif_at_the_mapped_quality_looks_like_webp_at_the_same_number() -> None:
    """The table's claim on one photo of the corpus it was measured on: SSIM within half a hundredth."""
    photo = pyvips.Image.thumbnail(str(CORPUS / "garden.jpg"), 800).copy_memory()
    webp = pyvips.Image.new_from_buffer(photo.webpsave_buffer(Q=80, effort=4), "")
    avif = pyvips.Image.new_from_buffer(
        photo.heifsave_buffer(Q=avif_quality(80), compression="av1", effort=AVIF_EFFORT), ""
    )
    assert abs(ssim(photo, avif) - ssim(photo, webp)) < 0.005


def test_an_output_over_the_pixel_limit_with_its_frames_fails_in_the_worker(tmp_path: Path) -> None:
    """svc_images checks one frame against the header; the worker counts every frame it writes."""
    source = tmp_path / "animated.gif"
    source.write_bytes(animated_gif(3))  # 3 frames of 24×16 = 1152 pixels
    fits = OutputSpec(name="optimized", format="webp", quality=80, effort=0, max_width=30, enlarge=True)
    [rendered] = convert(source, [fits], tmp_path, max_pixels=2000).rendered  # 30×20×3 = 1800
    assert (rendered.width, rendered.height, rendered.frames) == (30, 20, 3)
    (tmp_path / "more").mkdir()
    with pytest.raises(BrokenImage, match="3,240 pixels with its frames"):  # 40×27×3
        convert(source, [replace(fits, max_width=40)], tmp_path / "more", max_pixels=2000)
    # A still format writes the first frame only: the same size fits.
    [still] = convert(source, [replace(fits, max_width=40, format="png")], tmp_path / "more", max_pixels=2000).rendered
    assert (still.width, still.height, still.frames) == (40, 27, 1)
