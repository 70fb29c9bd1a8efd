"""Triage: category, severity and affected service, from the alerts' labels and annotations."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightowl.domain import Alert, AlertStatus, Category, Severity, Triage
from nightowl.domain.vocabulary import severity_in

# Checked in order; the first category whose words appear wins. Security first: it must never be
# mistaken for a mere availability problem.
CATEGORY_WORDS: tuple[tuple[Category, tuple[str, ...]], ...] = (
    (
        Category.SECURITY,
        ("security", "intrusion", "unauthori", "cve", "brute", "certificate", "tls", "audit"),
    ),
    (Category.DEPLOYMENT, ("deploy", "rollout", "release", "replicaset", "version")),
    (
        Category.RESOURCE,
        ("memory", "oom", "cpu", "disk", "filesystem", "saturat", "throttl", "quota", "inode"),
    ),
    (Category.PERFORMANCE, ("latency", "slow", "p99", "p95", "duration", "response time", "apdex")),
    (
        Category.AVAILABILITY,
        (
            "down",
            "unavailable",
            "error",
            "5xx",
            "failure",
            "unreachable",
            "probe",
            "crash",
            "restart",
        ),
    ),
)


def triage(alerts: Sequence[Alert]) -> Triage:
    """Classify the incident from its alerts (firing ones first; resolved ones when nothing fires)."""
    firing = [a for a in alerts if a.status is AlertStatus.FIRING] or list(alerts)
    reasons: list[str] = []
    category = _category(firing, reasons)
    severity = _severity(firing, reasons)
    services = [a.service for a in firing if a.service]
    service = max(set(services), key=services.count) if services else None
    reasons.append(
        f"service {service!r} from the alert labels"
        if service
        else "no service label on the alerts"
    )
    return Triage(category=category, severity=severity, service=service, reasons=tuple(reasons))


def _category(alerts: Sequence[Alert], reasons: list[str]) -> Category:
    text = " ".join(
        [a.name for a in alerts]
        + [v for a in alerts for k, v in a.labels.items() if k != "severity"]
        + [v for a in alerts for v in a.annotations.values()]
    )
    words = " ".join(re.findall(r"[a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()))
    for category, needles in CATEGORY_WORDS:
        hit = next((n for n in needles if re.search(rf"(?<![a-z0-9]){re.escape(n)}", words)), None)
        if hit:
            reasons.append(f"category {category.value}: the alerts mention {hit!r}")
            return category
    reasons.append("category availability: nothing more specific in the alerts")
    return Category.AVAILABILITY


def _severity(alerts: Sequence[Alert], reasons: list[str]) -> Severity:
    order = list(Severity)
    found = [s for a in alerts if (s := severity_in(a.labels)) is not None]
    if not found:
        reasons.append("severity warning: no severity label")
        return Severity.WARNING
    worst = min(found, key=order.index)
    reasons.append(f"severity {worst.value} from the severity label")
    return worst
