"""The security-posture KPIs from tracked findings: open findings by severity, and the time
critical (and high) findings took from first seen to fixed — what teams report as "time to
fix critical vulnerabilities". Pure: the caller hands in the tracked findings.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from nightowl.domain.base import Model
from nightowl.domain.findings import Finding
from nightowl.watchers.cve.models import Severity


class Tracked(Protocol):
    """What posture needs of a tracked finding: its severity word, whether it is open, when it
    was first seen and when it was fixed (None while it is not).
    """

    @property
    def severity_word(self) -> str: ...

    @property
    def is_open(self) -> bool: ...

    @property
    def first_seen(self) -> datetime: ...

    @property
    def fixed_at(self) -> datetime | None: ...


class Posture(Model):
    """Open findings per severity (every rating, zeros included) and the median and mean time
    to fix critical and high findings, in seconds (None before the first was fixed).
    """

    open_by_severity: dict[str, int]
    fixed_critical: int = 0
    time_to_fix_critical_seconds: float | None = None
    mean_time_to_fix_critical_seconds: float | None = None
    time_to_fix_high_seconds: float | None = None


def posture(findings: Iterable[Tracked]) -> Posture:
    """The KPIs over every tracked finding (accepted ones count as neither open nor fixed)."""
    counts = {s.value: 0 for s in Severity}
    fixes: dict[str, list[float]] = {"critical": [], "high": []}
    for f in findings:
        word = f.severity_word if f.severity_word in counts else Severity.UNKNOWN.value
        if f.is_open:
            counts[word] += 1
        elif f.fixed_at is not None and word in fixes:
            fixes[word].append((f.fixed_at - f.first_seen).total_seconds())
    crit, high = fixes["critical"], fixes["high"]
    return Posture(
        open_by_severity=counts,
        fixed_critical=len(crit),
        time_to_fix_critical_seconds=statistics.median(crit) if crit else None,
        mean_time_to_fix_critical_seconds=statistics.fmean(crit) if crit else None,
        time_to_fix_high_seconds=statistics.median(high) if high else None,
    )


class _Row:
    """A tracked CVE finding as posture reads it: the CVSS rating its watcher recorded."""

    def __init__(self, finding: Finding) -> None:
        rating = finding.evidence.get("rating")
        self.severity_word = rating if isinstance(rating, str) else finding.severity.value
        self.is_open = finding.active
        self.first_seen = finding.first_seen or finding.last_seen or datetime.min
        self.fixed_at = finding.fixed_at


def of_findings(findings: Iterable[Finding]) -> Posture:
    """The posture over the tracked findings of ``kind: cve`` watchers (others are skipped)."""
    return posture(_Row(f) for f in findings if f.kind == "cve")
