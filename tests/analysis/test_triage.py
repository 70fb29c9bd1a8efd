"""Triage: category, severity and service from the alerts' names, labels and annotations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nightowl.analysis.triage import triage
from nightowl.domain import Alert, AlertStatus, Category, Severity

AT = datetime(2026, 11, 20, 3, 2, tzinfo=UTC)


def alert(
    name: str,
    *,
    status: AlertStatus = AlertStatus.FIRING,
    summary: str = "",
    labels: dict[str, str] | None = None,
    **more: str,
) -> Alert:
    labels = {**(labels or {}), **more}
    return Alert(
        source="test",
        fingerprint=f"fp-{name}-{sorted(labels.items())}",
        content_hash=f"h-{name}-{status}",
        status=status,
        name=name,
        labels={"alertname": name, **labels},
        annotations={"summary": summary} if summary else {},
        starts_at=AT,
    )


@pytest.mark.parametrize(
    ("name", "summary", "category"),
    [
        ("HighLatency", "checkout p99 latency above 1s", Category.PERFORMANCE),
        ("SlowRequests", "", Category.PERFORMANCE),
        ("KubeContainerOOMKilled", "", Category.RESOURCE),
        ("NodeFilesystemAlmostFull", "", Category.RESOURCE),
        ("HighMemoryUsage", "", Category.RESOURCE),
        ("KubeDeploymentReplicasMismatch", "", Category.DEPLOYMENT),
        ("ServiceDown", "", Category.AVAILABILITY),
        ("ProbeFailure", "BlackBox Probe Failure", Category.AVAILABILITY),
        ("HighErrorRate", "5xx above 2%", Category.AVAILABILITY),
        ("TLSCertificateExpiring", "certificate expires in 3 days", Category.SECURITY),
        ("Mystery", "", Category.AVAILABILITY),
    ],
)
def test_category_from_the_alerts_words(name: str, summary: str, category: Category) -> None:
    result = triage([alert(name, summary=summary, service="checkout")])

    assert result.category is category
    assert any(r.startswith(f"category {category.value}") for r in result.reasons)


def test_security_wins_over_availability() -> None:
    result = triage([alert("LoginErrors", summary="brute force: unauthorized logins, 5xx")])

    assert result.category is Category.SECURITY


def test_the_severity_label_is_not_read_as_a_category_word() -> None:
    result = triage([alert("Mystery", severity="error")])

    assert result.category is Category.AVAILABILITY
    assert "nothing more specific" in result.reasons[0]


@pytest.mark.parametrize(
    ("labels", "severity"),
    [
        ({"severity": "critical"}, Severity.CRITICAL),
        ({"severity": "page"}, Severity.CRITICAL),
        ({"severity": "ERROR"}, Severity.HIGH),
        ({"priority": "P2"}, Severity.HIGH),
        ({"severity": "warning"}, Severity.WARNING),
        ({"severity": "info"}, Severity.INFO),
        ({}, Severity.WARNING),
        ({"severity": "unheard-of"}, Severity.WARNING),
    ],
)
def test_severity_from_the_labels(labels: dict[str, str], severity: Severity) -> None:
    assert triage([alert("HighLatency", labels=labels)]).severity is severity


def test_the_worst_severity_wins() -> None:
    alerts = [
        alert("A", severity="info"),
        alert("B", severity="critical"),
        alert("C", severity="warning"),
    ]

    assert triage(alerts).severity is Severity.CRITICAL


def test_the_service_is_the_one_most_alerts_name() -> None:
    alerts = [
        alert("A", service="checkout"),
        alert("B", service="payments"),
        alert("C", app="payments"),
    ]

    result = triage(alerts)

    assert result.service == "payments"
    assert "service 'payments' from the alert labels" in result.reasons


def test_resolved_alerts_do_not_steer_triage_while_others_fire() -> None:
    alerts = [
        alert("HighMemoryUsage", status=AlertStatus.RESOLVED, service="payments", severity="info"),
        alert("HighLatency", service="checkout", severity="critical"),
    ]

    result = triage(alerts)

    assert (result.category, result.severity, result.service) == (
        Category.PERFORMANCE,
        Severity.CRITICAL,
        "checkout",
    )


def test_only_resolved_alerts_are_still_triaged() -> None:
    result = triage([alert("HighLatency", status=AlertStatus.RESOLVED, service="checkout")])

    assert (result.category, result.service) == (Category.PERFORMANCE, "checkout")


def test_no_service_label_says_so() -> None:
    result = triage([alert("HighLatency", instance="10.0.0.1:9100")])

    assert result.service is None
    assert "no service label on the alerts" in result.reasons


@pytest.mark.parametrize("name", ["ZoomApiLatencyHigh", "ConversionLatencyHigh"])
def test_a_category_word_inside_another_word_does_not_count(name: str) -> None:
    assert triage([alert(name)]).category is Category.PERFORMANCE
