"""svc_auth's gRPC face: translates protobuf to `accounts` calls and back, nothing more."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pixelflow.auth.v1 import auth_pb2
from pixelflow.protobuf import timestamp
from pixelflow.runtime import AuthKind, Call, Service, rpc, timer
from pixelflow.runtime.database import Database
from pixelflow.runtime.sessions import EndedSessionStore
from pixelflow.tokens import Caller, TokenVerifier
from svc_auth import accounts, closing, purge, signins
from svc_auth.keys import SigningKeys
from svc_auth.passwords import Passwords
from svc_auth.settings import AuthSettings

TORTOISE_APP = "auth"
TORTOISE_MODELS = ["svc_auth.models"]


def _user_message(account: accounts.Account) -> auth_pb2.User:
    return auth_pb2.User(id=account.id, email=account.email, created_at=timestamp(account.created_at))


def _session_message(session: accounts.Session) -> auth_pb2.Session:
    return auth_pb2.Session(
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        token_type="bearer",
        expires_in=session.expires_in,
        user=_user_message(session.account),
    )


class AuthService(Service):
    name = "auth"
    grpc_services = (auth_pb2.DESCRIPTOR.services_by_name["Auth"],)

    db = Database(app=TORTOISE_APP, models=TORTOISE_MODELS)
    signing_key = SigningKeys()
    passwords = Passwords()
    ended_sessions = EndedSessionStore()
    images_purge = purge.ImagesPurge()

    settings: AuthSettings

    @property
    def policy(self) -> accounts.TokenPolicy:
        return accounts.TokenPolicy(
            signing_key=self.signing_key,
            access_ttl=timedelta(seconds=self.settings.access_token_ttl_seconds),
            refresh_ttl=timedelta(seconds=self.settings.refresh_token_ttl_seconds),
            ended_sessions=self.ended_sessions,
        )

    async def _own_keys(self) -> Mapping[str, Ed25519PublicKey]:
        return {self.signing_key.kid: self.signing_key.public_key}

    @functools.cached_property
    def _verifier(self) -> TokenVerifier:
        # Built on the first authenticated call, once `signing_key` is set up.
        return TokenVerifier(self._own_keys, session_ended=self.ended_sessions.is_ended)

    async def resolve_caller(self, access_token: str) -> Caller:
        return await self._verifier.verify(access_token)

    @rpc
    async def register(self, request: auth_pb2.RegisterRequest, call: Call) -> auth_pb2.Session:
        session = await accounts.register(
            email=request.email,
            password=request.password,
            hasher=self.passwords,
            policy=self.policy,
            user_agent=request.user_agent,
        )
        return _session_message(session)

    @rpc
    async def login(self, request: auth_pb2.LoginRequest, call: Call) -> auth_pb2.Session:
        session = await accounts.login(
            email=request.email,
            password=request.password,
            hasher=self.passwords,
            policy=self.policy,
            user_agent=request.user_agent,
        )
        return _session_message(session)

    @rpc
    async def refresh(self, request: auth_pb2.RefreshRequest, call: Call) -> auth_pb2.Session:
        return _session_message(await accounts.refresh(refresh_token=request.refresh_token, policy=self.policy))

    @rpc(auth=AuthKind.USER)
    async def logout(self, request: auth_pb2.LogoutRequest, call: Call) -> auth_pb2.LogoutResponse:
        await accounts.logout(
            user_id=call.caller.user_id,
            session_id=call.caller.session_id,
            refresh_token=request.refresh_token or None,
            everywhere=request.everywhere,
            policy=self.policy,
        )
        return auth_pb2.LogoutResponse()

    @rpc(auth=AuthKind.USER)
    async def get_me(self, request: auth_pb2.GetMeRequest, call: Call) -> auth_pb2.User:
        return _user_message(await accounts.get_account(user_id=call.caller.user_id))

    @rpc
    async def get_jwks(self, request: auth_pb2.GetJwksRequest, call: Call) -> auth_pb2.Jwks:
        return auth_pb2.Jwks(keys=[auth_pb2.Jwk(**self.signing_key.jwk())])

    @rpc(auth=AuthKind.USER)
    async def list_sessions(self, request: auth_pb2.ListSessionsRequest, call: Call) -> auth_pb2.ListSessionsResponse:
        found = await signins.list_sessions(
            user_id=call.caller.user_id, session_id=call.caller.session_id, policy=self.policy
        )
        return auth_pb2.ListSessionsResponse(
            sessions=[
                auth_pb2.SignedInSession(
                    id=session.id,
                    created_at=timestamp(session.created_at),
                    last_used_at=timestamp(session.last_used_at),
                    user_agent=session.user_agent,
                    current=session.current,
                )
                for session in found
            ]
        )

    @rpc(auth=AuthKind.USER)
    async def end_session(self, request: auth_pb2.EndSessionRequest, call: Call) -> auth_pb2.EndSessionResponse:
        await signins.end_one(user_id=call.caller.user_id, session_id=request.id, policy=self.policy)
        return auth_pb2.EndSessionResponse()

    @rpc(auth=AuthKind.USER)
    async def change_password(
        self, request: auth_pb2.ChangePasswordRequest, call: Call
    ) -> auth_pb2.ChangePasswordResponse:
        await closing.change_password(
            user_id=call.caller.user_id,
            session_id=call.caller.session_id,
            current_password=request.current_password,
            new_password=request.new_password,
            hasher=self.passwords,
            policy=self.policy,
        )
        return auth_pb2.ChangePasswordResponse()

    @rpc(auth=AuthKind.USER)
    async def delete_account(
        self, request: auth_pb2.DeleteAccountRequest, call: Call
    ) -> auth_pb2.DeleteAccountResponse:
        await closing.delete_account(
            user_id=call.caller.user_id,
            session_id=call.caller.session_id,
            password=request.password,
            hasher=self.passwords,
            policy=self.policy,
        )
        # At once when svc_images answers; otherwise the timer below does it later.
        await purge.purge_pending(
            purger=self.images_purge,
            limit=1,
            repeat_for=self._purge_repeat,
            only=call.caller.user_id,
            timeout_seconds=self.settings.purge_inline_timeout_seconds,
        )
        return auth_pb2.DeleteAccountResponse()

    @timer(setting="purge_interval_seconds")
    async def purge_deleted_accounts(self) -> None:
        await purge.purge_pending(
            purger=self.images_purge, limit=self.settings.purge_batch_size, repeat_for=self._purge_repeat
        )

    @property
    def _purge_repeat(self) -> timedelta:
        return timedelta(seconds=self.settings.purge_repeat_seconds)
