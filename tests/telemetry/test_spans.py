"""Spans as the stages make them, recorded by the SDK's in-memory exporter: the incident and
service on every span, an incident's trace opened under the webhook's span or as a new root, and
continued from its stored ``traceparent`` by every later run of its workflow."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from nightowl import telemetry
from nightowl.logs import incident_context
from nightowl.telemetry.spans import INCIDENT_ID, SERVICE


def hex_trace(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def by_name(spans: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {s.name: s for s in spans.get_finished_spans()}


def test_every_span_names_the_incident_and_service(spans: InMemorySpanExporter) -> None:
    with (
        incident_context("inc-1", "gather"),
        telemetry.incident_trace("inc-1", "checkout", None),
        telemetry.span("read prometheus", {"nightowl.connector.rows": 3}),
    ):
        pass
    with telemetry.span("outside"):
        pass
    found = by_name(spans)
    read = found["read prometheus"].attributes or {}
    assert (read[INCIDENT_ID], read[SERVICE], read["nightowl.connector.rows"]) == (
        "inc-1",
        "checkout",
        3,
    )
    assert INCIDENT_ID not in (found["outside"].attributes or {})


def test_an_incident_opened_inside_a_request_joins_the_requests_trace(
    spans: InMemorySpanExporter,
) -> None:
    with telemetry.span("webhook") as request:
        parent = telemetry.opening_traceparent("inc-2")
    assert telemetry.trace_id_of(parent) == request.trace_id
    assert "incident opened" not in by_name(spans)


def test_an_incident_opened_outside_any_span_gets_a_root_span(
    spans: InMemorySpanExporter,
) -> None:
    parent = telemetry.opening_traceparent("inc-3")
    opened = by_name(spans)["incident opened"]
    assert opened.parent is None
    assert telemetry.trace_id_of(parent) == hex_trace(opened)


def test_each_run_of_the_workflow_continues_the_stored_trace(
    spans: InMemorySpanExporter,
) -> None:
    parent = telemetry.opening_traceparent("inc-4")
    for _run in range(2):  # the first run, then the one recovered after a crash
        with telemetry.incident_trace("inc-4", "payments", parent), telemetry.span("stage"):
            pass
    workflows = [s for s in spans.get_finished_spans() if s.name == "incident workflow"]
    opened = by_name(spans)["incident opened"]
    assert len(workflows) == 2
    assert {hex_trace(w) for w in workflows} == {hex_trace(opened)}
    assert opened.context is not None
    assert all(w.parent and w.parent.span_id == opened.context.span_id for w in workflows)
    stages = [s for s in spans.get_finished_spans() if s.name == "stage"]
    assert all(s.parent and s.parent.span_id == opened.context.span_id for s in stages)


def test_without_a_stored_parent_the_run_is_the_parent(spans: InMemorySpanExporter) -> None:
    with telemetry.incident_trace("inc-5", None, None) as run, telemetry.span("stage triage"):
        pass
    found = by_name(spans)
    assert found["incident workflow"].parent is None
    assert hex_trace(found["stage triage"]) == run.trace_id
    stage_parent = found["stage triage"].parent
    assert stage_parent is not None
    assert found["incident workflow"].context is not None
    assert stage_parent.span_id == found["incident workflow"].context.span_id


def test_a_failure_marks_the_span(spans: InMemorySpanExporter) -> None:
    with telemetry.span("action restart") as traced:
        traced.fail("driver refused")
    with pytest.raises(RuntimeError), telemetry.span("stage act"):
        raise RuntimeError("boom")
    found = by_name(spans)
    assert found["action restart"].status.status_code is StatusCode.ERROR
    assert found["action restart"].status.description == "driver refused"
    assert found["stage act"].status.status_code is StatusCode.ERROR


def test_current_span_takes_attributes_and_is_a_no_op_without_tracing(
    spans: InMemorySpanExporter,
) -> None:
    with telemetry.span("chat model"):
        telemetry.current_span().set("nightowl.llm.cost_usd", 0.25)
    assert (by_name(spans)["chat model"].attributes or {})["nightowl.llm.cost_usd"] == 0.25
    telemetry.shutdown()
    telemetry.current_span().set("ignored", 1)  # nothing to set it on, nothing raised


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "4bf92f3577b34da6a3ce929d0e0e4736",
        ),
        ("not a traceparent", None),
        (None, None),
    ],
)
def test_trace_id_of(given: str | None, expected: str | None) -> None:
    assert telemetry.trace_id_of(given) == expected


def test_trace_url_fills_the_template() -> None:
    template = "https://grafana.example/explore?traceId={trace_id}"
    assert (
        telemetry.trace_url(template, "ab" * 16)
        == f"https://grafana.example/explore?traceId={'ab' * 16}"
    )
    assert telemetry.trace_url(None, "ab" * 16) is None
    assert telemetry.trace_url(template, None) is None
