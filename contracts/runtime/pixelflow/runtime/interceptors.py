"""Server interceptors: every call gets a request id (from `x-request-id` or new), an access log,
its metrics and, when tracing is on, a server span continuing the caller's `traceparent`.

The span is made here rather than by OpenTelemetry's grpc.aio interceptor: that one expects a
streaming handler to be a generator, while the runtime's write with `context.write` (see Service)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from opentelemetry import propagate, trace

from pixelflow.runtime.logs import REQUEST_ID_KEY, clean_request_id, request_id_var
from pixelflow.runtime.metrics import observe_grpc_call

log = logging.getLogger("pixelflow.access")
_tracer = trace.get_tracer("pixelflow.runtime")

_QUIET_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")


class RequestContextInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        metadata = dict(handler_call_details.invocation_metadata or ())  # type: ignore[attr-defined]
        incoming = metadata.get(REQUEST_ID_KEY)
        request_id = clean_request_id(incoming if isinstance(incoming, str) else None)
        method: str = handler_call_details.method  # type: ignore[attr-defined]
        level = logging.DEBUG if method.startswith(_QUIET_PREFIXES) else logging.INFO
        # The id goes back only when this server chose it: a caller that sent one knows it already,
        # and sending initial metadata ahead of the reply costs a tenth of a small call's CPU.
        echo = request_id != incoming
        parent = propagate.extract(metadata) if "traceparent" in metadata else None
        return _wrap(handler, request_id, method, level, echo, parent)


def _wrap(
    handler: grpc.RpcMethodHandler, request_id: str, method: str, level: int, echo: bool, parent: Any
) -> grpc.RpcMethodHandler:
    def span() -> Any:
        return _tracer.start_as_current_span(method, context=parent, kind=trace.SpanKind.SERVER)

    def logged(behavior: Callable[..., Any], streaming_out: bool) -> Callable[..., Any]:
        def finish(context: grpc.aio.ServicerContext[Any, Any], started: float, outcome: str) -> None:
            code = context.code() if hasattr(context, "code") else None
            status = getattr(code, "name", None) or outcome
            seconds = time.perf_counter() - started
            observe_grpc_call(method, status, seconds)
            log.log(level, "%s %s %.1fms", method, status, seconds * 1000)

        if streaming_out:

            async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
                # A coroutine writing each message, never a generator: a cancelled call then unwinds
                # in this task rather than in a garbage-collected generator's (see Service).
                request_id_var.set(request_id)
                if echo:
                    await context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))
                started, outcome = time.perf_counter(), "ERROR"
                try:
                    with span():
                        if inspect.iscoroutinefunction(behavior):
                            await behavior(request, context)
                        else:
                            async with contextlib.aclosing(behavior(request, context)) as items:
                                async for item in items:
                                    await context.write(item)
                    outcome = "OK"
                except asyncio.CancelledError:
                    outcome = "CANCELLED"  # the client left (a 304, a closed tab, a deadline): normal
                    raise
                finally:
                    finish(context, started, outcome)

            return stream

        async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            request_id_var.set(request_id)
            if echo:
                await context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))
            started, outcome = time.perf_counter(), "ERROR"
            try:
                with span():
                    result = await behavior(request, context)
                outcome = "OK"
                return result
            except asyncio.CancelledError:
                outcome = "CANCELLED"
                raise
            finally:
                finish(context, started, outcome)

        return unary

    if handler.unary_unary:
        return handler._replace(unary_unary=logged(handler.unary_unary, False))  # type: ignore[attr-defined,no-any-return]
    if handler.unary_stream:
        return handler._replace(unary_stream=logged(handler.unary_stream, True))  # type: ignore[attr-defined,no-any-return]
    if handler.stream_unary:
        return handler._replace(stream_unary=logged(handler.stream_unary, False))  # type: ignore[attr-defined,no-any-return]
    return handler._replace(stream_stream=logged(handler.stream_stream, True))  # type: ignore[attr-defined,no-any-return]
