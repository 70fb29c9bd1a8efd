"""The operators' metrics on nightowl's registry, with the current trace as exemplar."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics

from nightowl import telemetry
from nightowl.api.metrics import REGISTRY
from nightowl.telemetry import meters


def test_every_operator_metric_is_served() -> None:
    served = openmetrics(REGISTRY).decode()
    for collector in meters.COLLECTORS:
        assert f"# TYPE {collector._name} " in served, collector._name


def test_a_count_inside_a_span_links_to_its_trace(spans: InMemorySpanExporter) -> None:
    with telemetry.span("policy restart") as traced:
        meters.count(meters.POLICY_VERDICTS.labels("deny"))
        with meters.timed(meters.STAGE_SECONDS.labels("gate")):
            pass
    served = openmetrics(REGISTRY).decode()
    assert 'nightowl_policy_verdicts_total{verdict="deny"}' in served
    verdicts = [line for line in served.splitlines() if 'verdict="deny"' in line]
    assert any(f'# {{trace_id="{traced.trace_id}"}}' in line for line in verdicts)
    stage = [line for line in served.splitlines() if "nightowl_stage_seconds_bucket" in line]
    assert any(f'trace_id="{traced.trace_id}"' in line for line in stage)


def test_no_exemplar_without_a_span() -> None:
    meters.count(meters.ACTIONS.labels("restart", "dry_run"))
    served = openmetrics(REGISTRY).decode()
    [line] = [
        line
        for line in served.splitlines()
        if line.startswith('nightowl_actions_total{kind="restart",status="dry_run"}')
    ]
    assert "trace_id" not in line


def test_series_known_in_advance_start_at_zero() -> None:
    from nightowl.api.metrics import start_at_zero

    start_at_zero(["alertmanager"])
    served = openmetrics(REGISTRY).decode()
    for line in (
        'nightowl_stage_runs_total{outcome="failed",stage="report"}',
        'nightowl_policy_verdicts_total{verdict="require_approval"}',
        'nightowl_audit_verifications_total{outcome="failed"}',
        'nightowl_webhooks_total{outcome="unauthenticated",source="alertmanager"}',
    ):
        assert any(s.startswith(line + " ") for s in served.splitlines()), line
