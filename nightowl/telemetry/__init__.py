"""nightowl's own telemetry: OpenTelemetry traces of every incident workflow (stages, connector
calls, hypothesis rounds, policy decisions, actions, LLM calls) and the operators' Prometheus
metrics (webhook latency and rejections, intake, queue, stage durations, connector errors, LLM
latency, policy verdicts).

Tracing needs the optional ``otel`` extra and is off by default (``tracing`` settings or the
standard ``OTEL_*`` variables turn it on); without the SDK, or while it is off, every span is a
no-op and costs next to nothing. ``tracer`` owns the provider, ``spans`` the span helpers every
stage calls, ``meters`` the metrics (created unregistered; the API's registry serves them).
"""

from __future__ import annotations

from nightowl.logs import current_trace_id
from nightowl.telemetry import meters
from nightowl.telemetry.spans import (
    Span,
    current_span,
    incident_trace,
    opening_traceparent,
    span,
    trace_id_of,
    trace_url,
)
from nightowl.telemetry.tracer import enabled, install, shutdown

__all__ = [
    "Span",
    "current_span",
    "current_trace_id",
    "enabled",
    "incident_trace",
    "install",
    "meters",
    "opening_traceparent",
    "shutdown",
    "span",
    "trace_id_of",
    "trace_url",
]
