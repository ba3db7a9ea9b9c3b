"""What every capability of svc_images stands on: its dependencies, callers and policies.

The capabilities (`svc_images.capabilities.*`) subclass `ImagesBase`; `ImagesService` composes them.
Dependencies are declared here once, in the order they are set up.
"""

from __future__ import annotations

from datetime import timedelta

import grpc

from pixelflow.errors import PermissionDenied
from pixelflow.media.storage import STORAGE_ERRORS, ObjectStore, ensure_bucket, s3_client
from pixelflow.outputs import OutputSpec
from pixelflow.runtime import Dependency, Service
from pixelflow.runtime.database import Database
from pixelflow.runtime.sessions import EndedSessions, EndedSessionStore
from pixelflow.runtime.tracing import client_interceptors
from pixelflow.tokens import Caller, TokenVerifier, credential_matches, remote_key_loader
from svc_images import quota, uploads
from svc_images.events import Events
from svc_images.outputs import default_specs, variant_specs
from svc_images.queue import Jobs
from svc_images.settings import ImagesSettings

TORTOISE_APP = "images"
TORTOISE_MODELS = ["svc_images.models"]


class Storage(Dependency[ObjectStore]):
    label = "storage"
    unavailable_errors = STORAGE_ERRORS

    async def check(self, value: ObjectStore) -> None:
        await value.client.bucket_exists(value.bucket)

    async def setup(self, service: Service) -> ObjectStore:
        assert isinstance(service.settings, ImagesSettings)
        store = ObjectStore(s3_client(service.settings), service.settings.s3_bucket)
        days = service.settings.incomplete_upload_days
        await ensure_bucket(store.client, store.bucket, incomplete_uploads=(uploads.ORIGINALS_PREFIX, days))
        return store

    async def teardown(self, value: ObjectStore) -> None:
        await value.close()


class AccessTokens(Dependency[tuple[grpc.aio.Channel, TokenVerifier]]):
    """Verifies user tokens with svc_auth's public keys, fetched over gRPC when first needed."""

    label = "auth service"
    unavailable_errors = (grpc.aio.AioRpcError,)

    async def setup(self, service: Service) -> tuple[grpc.aio.Channel, TokenVerifier]:
        assert isinstance(service.settings, ImagesSettings)
        channel = grpc.aio.insecure_channel(service.settings.auth_address, interceptors=client_interceptors())
        ended: EndedSessions = service.ended_sessions  # type: ignore[attr-defined]
        return channel, TokenVerifier(remote_key_loader(channel), session_ended=ended.is_ended)

    async def teardown(self, value: tuple[grpc.aio.Channel, TokenVerifier]) -> None:
        await value[0].close()


class ImagesBase(Service):
    db = Database(app=TORTOISE_APP, models=TORTOISE_MODELS)
    store = Storage()
    jobs = Jobs()
    ended_sessions = EndedSessionStore()
    tokens = AccessTokens()
    events = Events()

    settings: ImagesSettings

    async def resolve_caller(self, access_token: str) -> Caller:
        return await self.tokens[1].verify(access_token)

    async def check_service_credential(self, credential: str) -> None:
        if not credential_matches(credential, self.settings.internal_token.get_secret_value()):
            raise PermissionDenied("invalid service credential")

    @property
    def quota_policy(self) -> quota.QuotaPolicy:
        return quota.QuotaPolicy(
            quota_bytes=self.settings.quota_bytes, hold=timedelta(seconds=self.settings.quota_hold_seconds)
        )

    @property
    def output_specs(self) -> tuple[OutputSpec, ...]:
        """What every image is rendered as."""
        return self.optimized_specs + self.variant_specs

    @property
    def optimized_specs(self) -> tuple[OutputSpec, ...]:
        return default_specs(webp_quality=self.settings.webp_quality, webp_effort=self.settings.webp_effort)

    @property
    def variant_specs(self) -> tuple[OutputSpec, ...]:
        """The thumbnail and the responsive widths (also what a backfill gives older images)."""
        return variant_specs(
            widths=self.settings.variant_widths,
            thumbnail_size=self.settings.thumbnail_size,
            webp_quality=self.settings.webp_quality,
            webp_effort=self.settings.variant_webp_effort,
        )
