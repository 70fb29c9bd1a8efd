"""When tracing is on and where spans go: the ``tracing`` settings first, then the standard
``OTEL_*`` variables, then the defaults; a bad protocol is a clear configuration error."""

from __future__ import annotations

import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as Grpc
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http

from nightowl import telemetry
from nightowl.errors import ConfigError
from nightowl.settings import TracingSettings
from nightowl.telemetry.tracer import Plan, _exporter, plan

ENDPOINT = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}


def test_off_by_default() -> None:
    assert plan(TracingSettings(), {}) is None
    assert telemetry.install(TracingSettings(), environ={}) is False
    assert not telemetry.enabled()
    with telemetry.span("nothing") as traced:
        traced.set("key", "value")  # the no-op span takes anything
    assert traced.trace_id is None


def test_on_by_the_standard_endpoint_variable_with_its_protocol_and_service() -> None:
    env = ENDPOINT | {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_SERVICE_NAME": "owl-prod"}
    assert plan(TracingSettings(), env) == Plan(protocol="grpc", service_name="owl-prod")
    traces_only = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}
    assert plan(TracingSettings(), traces_only) == Plan("http/protobuf", "nightowl")


def test_settings_win_over_the_environment() -> None:
    settings = TracingSettings(
        enabled=True, endpoint="http://collector:4317", protocol="grpc", service_name="owl"
    )
    env = {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_SERVICE_NAME": "other"}
    assert plan(settings, env) == Plan("grpc", "owl", "http://collector:4317")


def test_sdk_disabled_turns_it_off_whatever_else_says_on() -> None:
    assert plan(TracingSettings(enabled=True), ENDPOINT | {"OTEL_SDK_DISABLED": "true"}) is None


def test_an_unknown_protocol_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="http/protobuf, grpc") as caught:
        plan(TracingSettings(), ENDPOINT | {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"})
    assert caught.value.where == "tracing.protocol"


def test_the_exporter_of_each_protocol() -> None:
    http = _exporter(Plan("http/protobuf", "nightowl", "http://collector:4318/"))
    assert isinstance(http, Http)
    assert http._endpoint == "http://collector:4318/v1/traces"  # a base URL, as the env var is
    assert isinstance(_exporter(Plan("grpc", "nightowl", "http://collector:4317")), Grpc)


def test_install_and_shutdown_export_to_the_given_exporter() -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    assert telemetry.install(TracingSettings(), exporter=exporter)
    try:
        with telemetry.span("one", {"a": 1, "skipped": None}):
            pass
    finally:
        telemetry.shutdown()
    [one] = exporter.get_finished_spans()
    assert one.resource.attributes["service.name"] == "nightowl"
    assert dict(one.attributes or {}) == {"a": 1}
    assert not telemetry.enabled()
