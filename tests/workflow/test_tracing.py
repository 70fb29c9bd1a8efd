"""One incident, one trace: webhook to report through the real API, store and DBOS workflow,
recorded by the SDK's in-memory exporter — the webhook's span is the root, the workflow run's
span and a span per stage its children, and the spans inside explain the decisions (connector
reads, hypothesis rounds, the policy's verdict, the action); the trace id is kept with the
incident and shown in the report and on the incident page."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from nightowl import telemetry
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import Autonomy, Incident
from nightowl.settings import Settings, TracingSettings
from nightowl.workflow import engine
from nightowl.workflow.pipeline import PIPELINE
from tests.conftest import READ, TOKEN

UI = "https://traces.example/trace/{trace_id}"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    telemetry.install(TracingSettings(), exporter=exporter)
    yield exporter
    telemetry.shutdown()


@pytest.fixture
def traced_app(
    spans: InMemorySpanExporter, settings_for: Any, tmp_path: Path
) -> Iterator[Nightowl]:
    settings: Settings = settings_for(
        tmp_path, autonomy=Autonomy.ACT, dry_run=False, tracing={"ui_url": UI}
    )
    app = Nightowl(settings)
    try:
        app.launch()
        yield app
    finally:
        app.shutdown()


def run_incident(app: Nightowl) -> tuple[Incident, str]:
    scenario = load_scenario(bundled_scenario("checkout-bad-deploy"))

    async def main() -> tuple[dict[str, Any], str]:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            accepted = await client.post(
                "/api/v1/webhooks/alertmanager",
                json=alertmanager_payload(scenario),
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert accepted.status_code == 202, accepted.text
            incident_id = accepted.json()["incident_id"]
            await engine.wait_for(incident_id, timeout=120)
            shown = await client.get(f"/api/v1/incidents/{incident_id}", headers=READ)
            return shown.json(), incident_id

    body, _ = asyncio.run(main())
    incident = Incident.model_validate(body)
    return incident, incident.id


def trace_of(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def assert_decisions_explained(finished: Sequence[ReadableSpan], incident: Incident) -> None:
    """The connector reads, hypothesis rounds, policy verdict and action are on their spans."""
    reads = [s for s in finished if s.name.startswith("read ")]
    assert {attrs(s)["nightowl.connector.name"] for s in reads} == {"scenario", "recorded", "graph"}
    assert any(attrs(s).get("nightowl.connector.rows", 0) > 0 for s in reads)
    rounds = [s for s in finished if s.name.startswith("hypothesis round")]
    assert rounds
    assert "nightowl.hypotheses.stopped" in attrs(rounds[-1])
    [decision] = incident.decisions
    [policy] = [s for s in finished if s.name.startswith("policy ")]
    assert attrs(policy)["nightowl.policy.verdict"] == decision.verdict.value
    assert list(attrs(policy)["nightowl.policy.reasons"]) == [r[:300] for r in decision.reasons]
    [action] = incident.actions
    [acted] = [s for s in finished if s.name.startswith("action ")]
    assert (attrs(acted)["nightowl.action.status"], attrs(acted)["nightowl.action.dry_run"]) == (
        action.status.value,
        False,
    )


def test_one_incident_is_one_connected_trace(
    traced_app: Nightowl, spans: InMemorySpanExporter
) -> None:
    incident, incident_id = run_incident(traced_app)
    finished = spans.get_finished_spans()
    ids = {s.context.span_id: s for s in finished if s.context is not None}

    [webhook] = [s for s in finished if s.name == "webhook"]
    assert webhook.parent is None
    assert {trace_of(s) for s in finished} == {trace_of(webhook)}
    assert all(s.parent is None or s.parent.span_id in ids for s in finished)  # connected

    [workflow] = [s for s in finished if s.name == "incident workflow"]
    assert workflow.parent is not None
    assert webhook.context is not None
    assert workflow.parent.span_id == webhook.context.span_id
    stages = [s for s in finished if s.name.startswith("stage ")]
    assert [s.name for s in sorted(stages, key=lambda s: s.start_time or 0)] == [
        f"stage {name.value}" for name in PIPELINE
    ]
    # the stages hang under the stored parent (the webhook), as a recovered run's do
    assert all(s.parent and s.parent.span_id == webhook.context.span_id for s in stages)
    assert workflow.context is not None
    assert workflow.start_time is not None
    assert workflow.end_time is not None
    assert all(workflow.start_time <= (s.start_time or 0) for s in stages)
    assert all((s.end_time or 0) <= workflow.end_time for s in stages)
    inside = [s for s in finished if s is not webhook]
    assert all(attrs(s)["nightowl.incident.id"] == incident_id for s in inside)
    assert all(attrs(s)["nightowl.incident.service"] == incident.service for s in stages)

    assert_decisions_explained(finished, incident)

    trace_id = trace_of(webhook)
    assert traced_app.records.trace(incident_id) == (trace_id, UI.format(trace_id=trace_id))
    assert incident.report_path is not None
    report = Path(incident.report_path).read_text(encoding="utf-8")
    assert f"nightowl's trace {trace_id}" in report
    assert UI.format(trace_id=trace_id) in report
