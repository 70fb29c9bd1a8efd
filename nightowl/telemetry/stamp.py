"""The span processor that names the incident and service on every span (needs the SDK)."""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Span, SpanProcessor

from nightowl.logs import current_incident
from nightowl.telemetry.spans import INCIDENT_ID, SERVICE, service_var


class Stamp(SpanProcessor):
    """Adds ``nightowl.incident.id`` and ``nightowl.incident.service`` from the context to each
    span as it starts (a span that set its own keeps it). Thread-safe: reads context variables."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        attributes = span.attributes or {}
        incident, service = current_incident(), service_var.get()
        if incident and INCIDENT_ID not in attributes:
            span.set_attribute(INCIDENT_ID, incident)
        if service and SERVICE not in attributes:
            span.set_attribute(SERVICE, service)
