"""Services, their dependencies and their entrypoints, in the manner of Nameko.

    class AuthService(Service):
        name = "auth"
        grpc_services = (auth_pb2.DESCRIPTOR.services_by_name["Auth"],)

        db = Database(app="auth", models=["svc_auth.models"])

        @rpc(auth=AuthKind.USER)
        async def get_me(self, request: auth_pb2.GetMeRequest, call: Call) -> auth_pb2.User: ...

A dependency is a class attribute; the runtime sets it up before serving and tears it down after,
and the service instance sees what `setup` returned. `@timer` methods (pixelflow.runtime.timers)
run periodically between the two. `AuthService(settings, db=other)` replaces a dependency for a
test, `ImagesService(settings, reconcile=None)` switches a timer off. An entrypoint's name is the
proto method's in snake case; servicers only translate protobuf to domain calls and back: errors
are mapped by the runtime, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass

from pixelflow.errors import PermissionDenied, Unauthenticated, Unavailable
from pixelflow.runtime.entrypoints import AuthKind, Call, Entrypoint, abort_for
from pixelflow.runtime.logs import request_id_var
from pixelflow.runtime.settings import PixelflowSettings
from pixelflow.runtime.timers import RunningTimers, Timer
from pixelflow.tokens import Caller

log = logging.getLogger(__name__)

T = TypeVar("T")


class Dependency(Generic[T]):
    """A class attribute of a `Service` that the runtime sets up before serving.

    Subclasses implement `setup` (returning what the service sees under the attribute's name),
    and may implement `teardown` and `call_scope` (entered around every entrypoint call).
    """

    name: str = ""
    # What callers are told is down ("the database is unavailable"); unlabelled ones are not checked.
    label: str = ""
    # Exceptions that mean the dependency itself is unreachable: the call answers UNAVAILABLE.
    unavailable_errors: tuple[type[BaseException], ...] = ()

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object | None, owner: type) -> Self | T:
        # Only reached while the instance has no injected value: set-up values live in its __dict__.
        if instance is None:
            return self
        raise RuntimeError(f"{owner.__name__}.{self.name} is used before the service started")

    async def setup(self, service: Service) -> T:
        raise NotImplementedError

    async def teardown(self, value: T) -> None:
        return None

    def call_scope(self, value: T) -> AbstractContextManager[object] | None:
        return None

    async def check(self, value: T) -> None:
        """Raises when the dependency does not answer; the runner calls it to keep health current."""
        return None


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


class Service:
    name: ClassVar[str]
    grpc_services: ClassVar[tuple[ServiceDescriptor, ...]]

    def __init__(self, settings: PixelflowSettings, **replacements: Any) -> None:
        self.settings = settings
        # A timer named here is switched off (`reconcile=None`): a test with a replaced queue stays quiet.
        timers_off = {name for name in self.timers() if name in replacements}
        for name in timers_off:
            if replacements.pop(name) is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a timer: it can only be replaced by None (off)")
        unknown = set(replacements) - set(self.dependencies())
        if unknown:
            raise TypeError(f"{type(self).__name__} has no dependencies named {sorted(unknown)}")
        self._replaced = set(replacements)
        self._timers_off = timers_off
        self.__dict__.update(replacements)
        self._started: list[Dependency[Any]] = []
        self._timers = RunningTimers()
        self.ready = False

    @classmethod
    @functools.cache
    def dependencies(cls) -> dict[str, Dependency[Any]]:
        """Declared once per class; cached, since every call's scopes and errors consult it."""
        found: dict[str, Dependency[Any]] = {}
        for klass in reversed(cls.__mro__):
            found.update({k: v for k, v in vars(klass).items() if isinstance(v, Dependency)})
        return found

    @classmethod
    def entrypoints(cls) -> dict[str, Entrypoint]:
        return {entrypoint.proto_name: entrypoint for entrypoint in cls._marked("__pixelflow_entrypoint__", Entrypoint)}

    @classmethod
    def timers(cls) -> dict[str, Timer]:
        return {entry.name: entry for entry in cls._marked("__pixelflow_timer__", Timer)}

    @classmethod
    def _marked(cls, marker: str, kind: type[T]) -> list[T]:
        """What the decorators left on methods, base classes first (a subclass overrides by name)."""
        return [
            mark
            for klass in reversed(cls.__mro__)
            for value in vars(klass).values()
            if isinstance(mark := getattr(value, marker, None), kind)
        ]

    async def start(self) -> None:
        """Sets up every dependency that was not replaced, in declaration order, then starts the timers."""
        for attr, dependency in self.dependencies().items():
            if attr not in self._replaced:
                self.__dict__[attr] = await dependency.setup(self)
                self._started.append(dependency)
        self._timers.start(self, [t for name, t in self.timers().items() if name not in self._timers_off])
        self.ready = True

    async def stop(self) -> None:
        """Stops the timers, then tears the dependencies down in reverse order."""
        self.ready = False
        await self._timers.stop()
        while self._started:
            dependency = self._started.pop()
            try:
                await dependency.teardown(self.__dict__.pop(dependency.name))
            except Exception:
                log.exception("tearing down %s failed", dependency.name)

    def unavailable_label(self, exc: BaseException) -> str | None:
        """The label of the dependency `exc` says is down, if it says so."""
        for dependency in self.dependencies().values():
            if dependency.unavailable_errors and isinstance(exc, dependency.unavailable_errors):
                return dependency.label or dependency.name
        return None

    async def check_dependencies(self, timeout: float) -> dict[str, str | None]:
        """Each labelled dependency's problem (None when it answers), within `timeout` seconds."""
        problems: dict[str, str | None] = {}
        for attr, dependency in self.dependencies().items():
            implements_check = type(dependency).check is not Dependency.check
            if not (dependency.label and implements_check) or attr not in self.__dict__:
                continue
            try:
                with self.call_scopes():
                    await asyncio.wait_for(dependency.check(self.__dict__[attr]), timeout)
                problems[dependency.label] = None
            except Exception as exc:
                problems[dependency.label] = f"{type(exc).__name__}: {exc}"[:200] or "no answer"
        return problems

    async def resolve_caller(self, access_token: str) -> Caller:
        raise Unauthenticated(f"{self.name} does not accept user tokens")

    async def check_service_credential(self, credential: str) -> None:
        raise PermissionDenied(f"{self.name} does not accept service credentials")

    def call_scopes(self) -> ExitStack:
        """Enters every dependency's per-call scope (the database context, ...): for work outside a call."""
        stack = ExitStack()
        for attr, dependency in self.dependencies().items():
            if attr in self.__dict__ and (scope := dependency.call_scope(self.__dict__[attr])) is not None:
                stack.enter_context(scope)
        return stack

    async def _authenticate(self, entrypoint: Entrypoint, metadata: dict[str, str]) -> Caller | None:
        if entrypoint.auth is AuthKind.NONE:
            return None
        scheme, _, credentials = metadata.get("authorization", "").partition(" ")
        if entrypoint.auth is AuthKind.USER:
            if scheme.lower() != "bearer" or not credentials.strip():
                raise Unauthenticated("missing bearer token")
            return await self.resolve_caller(credentials.strip())
        if scheme.lower() != "service" or not credentials.strip():
            raise PermissionDenied("this method needs the internal service credential")
        await self.check_service_credential(credentials.strip())
        return None

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        """One generic handler per proto service, binding every proto method to its entrypoint."""
        entrypoints = self.entrypoints()
        handlers = []
        for descriptor in self.grpc_services:
            methods = {}
            for method in descriptor.methods:
                entrypoint = entrypoints.pop(method.name, None)
                if entrypoint is None:
                    snake = _SNAKE.sub("_", method.name).lower()
                    raise TypeError(f"{type(self).__name__} has no @rpc {snake} for {descriptor.full_name}")
                methods[method.name] = self._method_handler(method, entrypoint)
            handlers.append(grpc.method_handlers_generic_handler(descriptor.full_name, methods))
        if entrypoints:
            raise TypeError(f"{type(self).__name__} has @rpc methods no proto declares: {sorted(entrypoints)}")
        return handlers

    def _method_handler(self, method: MethodDescriptor, entrypoint: Entrypoint) -> grpc.RpcMethodHandler:
        request_class = GetMessageClass(method.input_type)
        response_class = GetMessageClass(method.output_type)
        bound = entrypoint.function.__get__(self)
        client_streaming = bool(method.client_streaming)
        server_streaming = bool(method.server_streaming)
        if server_streaming != inspect.isasyncgenfunction(entrypoint.function):
            raise TypeError(f"{method.full_name}: a server-streaming entrypoint is an async generator")

        async def prepare(context: grpc.aio.ServicerContext[Any, Any]) -> Call:
            if not self.ready:
                raise Unavailable(f"{self.name} is not ready")
            metadata = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
            call = Call(grpc=context, request_id=request_id_var.get(), metadata=metadata)
            call.caller_or_none = await self._authenticate(entrypoint, metadata)
            return call

        if server_streaming:

            async def stream_out(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
                # Written through `context.write`, not yielded: when the client goes (a 304, a closed
                # tab, a deadline) grpc cancels this task at the write, so the entrypoint's generator
                # and the call scopes unwind here, in this task's context. A generator left suspended
                # would be closed later by the garbage collector, from another context.
                try:
                    call = await prepare(context)
                    with self.call_scopes():
                        async with contextlib.aclosing(bound(request, call)) as items:
                            async for item in items:
                                await context.write(item)
                except Exception as exc:
                    if context.done():
                        log.debug("%s ended after its call: %r", method.full_name, exc)
                        return
                    await abort_for(context, exc, self.unavailable_label(exc))

            behavior: Callable[..., Any] = stream_out
        else:

            async def unary_out(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                try:
                    call = await prepare(context)
                    with self.call_scopes():
                        return await bound(request, call)
                except Exception as exc:
                    await abort_for(context, exc, self.unavailable_label(exc))

            behavior = unary_out

        factory = {
            (False, False): grpc.unary_unary_rpc_method_handler,
            (False, True): grpc.unary_stream_rpc_method_handler,
            (True, False): grpc.stream_unary_rpc_method_handler,
            (True, True): grpc.stream_stream_rpc_method_handler,
        }[(client_streaming, server_streaming)]
        return factory(
            functools.wraps(entrypoint.function)(behavior),
            request_deserializer=request_class.FromString,
            response_serializer=response_class.SerializeToString,
        )
