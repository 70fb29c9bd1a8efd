"""Spans: the helpers every stage calls, no-ops while tracing is off.

An incident's trace is opened once, when its workflow is first started (``opening_traceparent``):
inside a webhook request that opened it, the incident's trace is the request's; otherwise a root
span starts one. Its W3C ``traceparent`` is stored with the incident, and every run of the
workflow — the first, and each one DBOS recovers after a crash, in whichever process — opens its
``incident workflow`` span under it (``incident_trace``), so one incident is one trace. Stage
spans are children of that stored parent (a run killed mid-way never exports its own span, and
its stages must stay connected); connector, hypothesis, policy, action and LLM spans are children
of their stage (context variables follow ``await`` and ``asyncio.to_thread``). The ``Stamp`` processor puts the incident
id and service on every span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from nightowl.telemetry.tracer import tracer

if TYPE_CHECKING:
    from opentelemetry.trace import Span as OtelSpan

AttrValue = str | bool | int | float | Sequence[str] | Sequence[float] | Sequence[int]
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
INCIDENT_ID, SERVICE = "nightowl.incident.id", "nightowl.incident.service"

service_var: ContextVar[str | None] = ContextVar("nightowl_trace_service", default=None)


class Span:
    """One span as the stages see it: attributes to set, a failure to mark. The no-op span
    (``inner`` None) ignores everything. Not shared between tasks."""

    def __init__(self, inner: OtelSpan | None = None) -> None:
        self._inner = inner

    def set(self, key: str, value: AttrValue | None) -> None:
        """Set one attribute (None: left unset)."""
        if self._inner is not None and value is not None:
            self._inner.set_attribute(key, value)

    def fail(self, message: str) -> None:
        """Mark the span as an error with ``message`` (the work failed without raising)."""
        if self._inner is not None:
            from opentelemetry.trace import Status, StatusCode

            self._inner.set_status(Status(StatusCode.ERROR, message))

    @property
    def trace_id(self) -> str | None:
        """The span's trace id as 32 hex digits, None for the no-op span."""
        if self._inner is None:
            return None
        return format(self._inner.get_span_context().trace_id, "032x")


NOOP = Span()


def _clean(attributes: Mapping[str, AttrValue | None] | None) -> dict[str, AttrValue]:
    return {k: v for k, v in (attributes or {}).items() if v is not None}


@contextmanager
def span(name: str, attributes: Mapping[str, AttrValue | None] | None = None) -> Iterator[Span]:
    """A child of the current span for the block (an exception marks it failed and goes on)."""
    current = tracer()
    if current is None:
        yield NOOP
        return
    with current.start_as_current_span(name, attributes=_clean(attributes)) as inner:
        yield Span(inner)


def current_span() -> Span:
    """The current span, to add attributes to (the no-op span while tracing is off)."""
    if tracer() is None:
        return NOOP
    from opentelemetry import trace

    return Span(trace.get_current_span())


def opening_traceparent(incident_id: str) -> str | None:
    """The ``traceparent`` to store with a new incident: the current span's (the webhook
    request that opened it) or a new trace's root span, ``incident opened``; None when tracing
    is off."""
    current = tracer()
    if current is None:
        return None
    from opentelemetry import context, trace

    live = trace.get_current_span()
    if not live.get_span_context().is_valid:
        root = current.start_span(
            "incident opened", context=context.Context(), attributes={INCIDENT_ID: incident_id}
        )
        root.end()
        live = root
    return _format(live)


def _format(inner: OtelSpan) -> str:
    ctx = inner.get_span_context()
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


@contextmanager
def incident_trace(
    incident_id: str,
    service: str | None,
    traceparent: str | None,
    name: str = "incident workflow",
) -> Iterator[Span]:
    """One run of the incident's workflow (or of one stage on its lane's queue: ``name``
    ``incident lane``): an ``incident workflow`` span under the stored
    ``traceparent``, and every span inside (the stages) a child of that stored parent too, not
    of this run's span — a run cut short by SIGKILL never exports its span, and what it did
    must stay connected to the trace. Without a stored parent the run's span is the parent.
    Every span inside names the incident and ``service``."""
    token = service_var.set(service)
    try:
        current = tracer()
        if current is None:
            yield NOOP
            return
        from opentelemetry import context, trace
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        stored = (
            TraceContextTextMapPropagator().extract({"traceparent": traceparent})
            if trace_id_of(traceparent)
            else None
        )
        attributes = _clean({INCIDENT_ID: incident_id, SERVICE: service})
        run = current.start_span(name, context=stored, attributes=attributes)
        attached = context.attach(stored or trace.set_span_in_context(run))
        try:
            yield Span(run)
        except BaseException as exc:
            run.record_exception(exc)
            Span(run).fail(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            context.detach(attached)
            run.end()
    finally:
        service_var.reset(token)


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id (32 hex digits) in a W3C ``traceparent``; None for none or a malformed one."""
    found = TRACEPARENT.match(traceparent or "")
    return found.group(1) if found else None


def trace_url(template: str | None, trace_id: str | None) -> str | None:
    """``template`` (``tracing.ui_url``) with the trace id in place of ``{trace_id}``."""
    if not template or not trace_id:
        return None
    return template.replace("{trace_id}", trace_id)
