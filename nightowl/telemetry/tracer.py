"""The process's tracer: an OpenTelemetry SDK provider exporting over OTLP (HTTP or gRPC), or
none at all.

``install`` is called once by a process that serves or runs incidents (``nightowl serve``, the
lab's runs); it reads the ``tracing`` settings and, for what they leave unset, the standard
``OTEL_*`` variables. The provider is nightowl's own, not the global one: a library in the same
process that installs its own provider neither replaces nightowl's nor is replaced. ``shutdown``
flushes what is buffered. Without the otel extra, ``install`` on an enabled configuration raises
ConfigError naming the install command; with tracing off it does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nightowl.errors import ConfigError
from nightowl.settings.tracing import TracingSettings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
PROTOCOL_VARS = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
PROTOCOLS = ("http/protobuf", "grpc")
INSTALL = "pip install 'nightowl[otel]'"


@dataclass(frozen=True)
class Plan:
    """Where and how spans go: ``endpoint`` None leaves it to the exporter (its OTEL_* variable
    or its default)."""

    protocol: str
    service_name: str
    endpoint: str | None = None


def plan(settings: TracingSettings, environ: Mapping[str, str] | None = None) -> Plan | None:
    """The export plan, or None when tracing is off (not enabled and no OTLP endpoint in the
    environment, or ``OTEL_SDK_DISABLED=true``). ConfigError for an unknown protocol."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if not settings.enabled and not any(env.get(name) for name in ENDPOINT_VARS):
        return None
    given: str | None = settings.protocol or next(
        (env[v] for v in PROTOCOL_VARS if env.get(v)), None
    )
    protocol = (given or "http/protobuf").strip()
    if protocol not in PROTOCOLS:
        raise ConfigError(
            f"OTLP protocol {protocol!r} is not supported; use one of {', '.join(PROTOCOLS)}",
            where="tracing.protocol",
        )
    service = settings.service_name or env.get("OTEL_SERVICE_NAME") or "nightowl"
    return Plan(protocol=protocol, service_name=service, endpoint=settings.endpoint)


@dataclass
class _State:
    provider: TracerProvider | None = None
    tracer: Tracer | None = None


_state = _State()


def install(
    settings: TracingSettings,
    *,
    exporter: SpanExporter | None = None,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Start exporting this process's spans when tracing is on; True when it is. ``exporter``
    (tests: the SDK's in-memory one) replaces the OTLP exporter and is called synchronously.
    A second call replaces the first provider (flushed and shut down)."""
    chosen = plan(settings, environ)
    if chosen is None and exporter is None:
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as exc:
        raise ConfigError(
            f"tracing is on but the OpenTelemetry SDK is not installed: {INSTALL}",
            where="tracing",
        ) from exc
    from nightowl.telemetry.stamp import Stamp

    service = chosen.service_name if chosen else "nightowl"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(Stamp())
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        assert chosen is not None
        provider.add_span_processor(BatchSpanProcessor(_exporter(chosen)))
    shutdown()
    _state.provider, _state.tracer = provider, provider.get_tracer("nightowl")
    return True


def _exporter(chosen: Plan) -> Any:
    """The OTLP exporter of ``chosen.protocol``; its endpoint from the plan or OTEL_*."""
    if chosen.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=chosen.endpoint) if chosen.endpoint else OTLPSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
        OTLPSpanExporter as HttpExporter,
    )

    if chosen.endpoint:  # a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is
        return HttpExporter(endpoint=chosen.endpoint.rstrip("/") + "/v1/traces")
    return HttpExporter()


def tracer() -> Tracer | None:
    """The installed tracer, or None while tracing is off."""
    return _state.tracer


def enabled() -> bool:
    """Whether spans are recorded and exported in this process."""
    return _state.tracer is not None


def shutdown() -> None:
    """Flush and stop the installed provider (no-op when there is none)."""
    provider, _state.provider, _state.tracer = _state.provider, None, None
    if provider is not None:
        provider.force_flush()
        provider.shutdown()
