"""The job's span: a child of the span that enqueued it (the upload), carried in the SAQ job's `meta`."""

from __future__ import annotations

from opentelemetry import context, propagate, trace

from svc_worker.context import JobContext

_tracer = trace.get_tracer("svc_worker")
_SLOT = "pixelflow_trace"


async def start_job_span(ctx: JobContext) -> None:
    job = ctx.get("job")
    if job is None:
        return
    carried = job.meta.get("trace") if isinstance(job.meta, dict) else None
    parent = propagate.extract(carried) if isinstance(carried, dict) else None
    span = _tracer.start_span(
        f"{job.function} job",
        context=parent,
        kind=trace.SpanKind.CONSUMER,
        attributes={"messaging.system": "saq", "messaging.operation.type": "process", "saq.attempt": job.attempts},
    )
    # The job's function runs in a task created after this hook, so it inherits this context.
    ctx[_SLOT] = (span, context.attach(trace.set_span_in_context(span)))  # type: ignore[literal-required]


async def end_job_span(ctx: JobContext) -> None:
    started = ctx.pop(_SLOT, None)  # type: ignore[misc]
    if started is None:
        return
    span, token = started
    job = ctx.get("job")
    if job is not None:
        span.set_attribute("saq.status", str(job.status))
    span.end()
    context.detach(token)
