"""The words every stage reads alerts by, defined once: which labels name a service, which label
values mean which severity."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Severity(StrEnum):
    """nightowl's four severities, most urgent first; ``SEVERITY_WORDS`` maps the sources' words
    to them.
    """

    CRITICAL = "critical"
    HIGH = "high"
    WARNING = "warning"
    INFO = "info"


SERVICE_LABELS = ("service", "app", "app_kubernetes_io_name", "job", "container")
"""Labels that name the affected service, most specific first."""

SEVERITY_WORDS: Mapping[str, Severity] = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "p1": Severity.CRITICAL,
    "high": Severity.HIGH,
    "error": Severity.HIGH,
    "p2": Severity.HIGH,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "p3": Severity.WARNING,
    "info": Severity.INFO,
    "none": Severity.INFO,
}
"""Severity label values (lower-cased) and what they mean."""


def service_in(labels: Mapping[str, str]) -> str | None:
    """The service a label set names (the first of ``SERVICE_LABELS`` that is set)."""
    return next((labels[k] for k in SERVICE_LABELS if labels.get(k)), None)


def severity_in(labels: Mapping[str, str]) -> Severity | None:
    """The severity a label set names, from ``severity`` (or ``priority``) — None if neither."""
    word = (labels.get("severity") or labels.get("priority") or "").lower()
    return SEVERITY_WORDS.get(word)
