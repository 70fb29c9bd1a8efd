"""The page of a failed analysis: an alert about the service and the new version, naming the
analysis and the failing metrics, the same alert every time it is raised for one analysis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.canary.alert import ALERTNAME, LABEL, page_for
from nightowl.domain import AlertStatus, Deploy
from nightowl.domain.canary import CanaryRun, Measurement, MetricResult, Verdict

AT = datetime(2026, 11, 20, 2, 51, tzinfo=UTC)


def _run() -> CanaryRun:
    deploy = Deploy(service="checkout", version="v2", previous_version="v1", at=AT, source="ci")
    bad = MetricResult(metric="latency", signal="latency_p99", verdict=Verdict.FAIL, reason="x")
    ok = MetricResult(metric="errors", signal="error_rate", verdict=Verdict.PASS, reason="y")
    failed = Measurement(
        index=3, at=AT + timedelta(minutes=4), verdict=Verdict.FAIL, metrics=(bad, ok)
    )
    return CanaryRun(
        id="canary:checkout:v2:x", deploy=deploy, started_at=AT, measurements=(failed,),
        verdict=Verdict.FAIL, summary="canary analysis failed for checkout v2",
    )  # fmt: skip


def test_the_page_names_the_service_the_version_and_the_failing_metrics() -> None:
    group = page_for(_run(), "critical")
    (alert,) = group.alerts
    assert group.status is AlertStatus.FIRING
    assert alert.name == ALERTNAME
    assert alert.service == "checkout"
    assert alert.labels["severity"] == "critical"
    assert alert.labels[LABEL] == "canary:checkout:v2:x"
    assert alert.starts_at == AT + timedelta(minutes=4)  # when the failing interval was measured
    assert alert.annotations["metrics"] == "latency"
    assert "worse than v1" in alert.annotations["summary"]


def test_raised_twice_it_is_the_same_alert_so_intake_counts_a_duplicate() -> None:
    first, again = page_for(_run(), "critical"), page_for(_run(), "critical")
    assert first.alerts[0].fingerprint == again.alerts[0].fingerprint
    assert first.alerts[0].content_hash == again.alerts[0].content_hash
    assert first.group_key == again.group_key


def test_once_its_incident_is_resolved_the_same_alert_resolves() -> None:
    ended = AT + timedelta(minutes=12)
    firing, resolved = page_for(_run(), "critical"), page_for(_run(), "critical", ended=ended)
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.alerts[0].status is AlertStatus.RESOLVED
    assert resolved.alerts[0].ends_at == ended
    assert resolved.alerts[0].fingerprint == firing.alerts[0].fingerprint  # the same alert
    assert resolved.alerts[0].content_hash != firing.alerts[0].content_hash  # a new notification
