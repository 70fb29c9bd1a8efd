"""Settings of nightowl's own OpenTelemetry traces (``nightowl.telemetry``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nightowl.settings.base import Section

Protocol = Literal["http/protobuf", "grpc"]


class TracingSettings(Section):
    """``tracing``: nightowl's own traces over OTLP (needs the otel extra). Off unless ``enabled``
    or ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set; what is left unset here
    comes from the standard ``OTEL_*`` variables, then the defaults."""

    enabled: bool = Field(
        default=False, description="Export traces (also on when an OTLP endpoint is in the env)."
    )
    endpoint: str | None = Field(
        default=None,
        description="OTLP base URL, e.g. http://collector:4318 (http) or http://collector:4317 "
        "(grpc); default: OTEL_EXPORTER_OTLP_ENDPOINT, then the exporter's own default.",
    )
    protocol: Protocol | None = Field(
        default=None, description="http/protobuf or grpc; default: OTEL_EXPORTER_OTLP_PROTOCOL."
    )
    service_name: str | None = Field(
        default=None, description="The resource's service.name; default: OTEL_SERVICE_NAME."
    )
    ui_url: str | None = Field(
        default=None,
        description="Link to a trace in the trace backend, with {trace_id} in it, e.g. "
        "https://grafana.example/explore?traceId={trace_id}; the incident page and the report "
        "link the incident's trace id there.",
    )
