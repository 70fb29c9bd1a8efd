"""What a watcher finds between incidents: a finding, its state over time, and the change proposed.

A watcher (``nightowl.watchers``) is a scheduled check of the estate — IaC drift, cost, CVE
posture, rightsizing — that returns ``Finding`` values. The store tracks each by its
``fingerprint`` across runs: first seen ``new``, seen again ``open``, not seen by the next run of
the same watcher ``fixed``; a human may ``accept`` one until a date (then it is ``open`` again).
A finding may carry a ``ProposedChange``: an ``ActionSpec`` (a pull request, a scale-down) that
goes through the same gate, approvals, executor and audit trail as every other write.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from nightowl.domain.base import Model, Scalar
from nightowl.domain.remediation import ActionSpec
from nightowl.domain.vocabulary import Severity

FINGERPRINT_LENGTH = 24
"""Hex digits of a fingerprint: 96 bits, no collision among any estate's findings."""


class FindingState(StrEnum):
    """Where a finding stands: ``new`` (first seen by the last run), ``open`` (seen again),
    ``fixed`` (the last run of its watcher no longer saw it), ``accepted`` (a human accepted the
    risk until ``accepted_until``)."""

    NEW = "new"
    OPEN = "open"
    FIXED = "fixed"
    ACCEPTED = "accepted"


class ProposedChange(Model):
    """What would fix a finding: a one-line summary, the diff a person reviews, and the action
    that makes it (None: nothing nightowl can do, only tell). ``plan``: a command a human runs
    instead (``terraform apply`` of the code), when no pull request is the fix."""

    summary: str
    diff: str = ""
    action: ActionSpec | None = None
    plan: str = ""


def fingerprint_of(*parts: str) -> str:
    """The stable identity of a finding from the parts that name it (watcher, kind, resource and
    whatever else tells two findings on one resource apart, such as a CVE id)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


class Finding(Model):
    """One thing a watcher found about one resource.

    ``fingerprint`` defaults to ``fingerprint_of(watcher, kind, resource)``; a watcher that can
    find several things on one resource gives its own. ``evidence`` holds the facts a person
    reads (small values only); ``monthly_cost_delta`` the change in monthly cost, in the price
    table's currency, when the fix changes capacity (negative: a saving). ``state``,
    ``first_seen``, ``last_seen`` and ``accepted_until`` are the store's: a watcher leaves them.
    """

    watcher: str
    kind: str
    resource: str
    severity: Severity = Severity.WARNING
    title: str
    service: str = ""
    """The service the finding is about, for routing its change and its notification."""
    evidence: dict[str, Scalar] = Field(default_factory=dict)
    proposed: ProposedChange | None = None
    monthly_cost_delta: float | None = None
    fingerprint: str = ""
    state: FindingState = FindingState.NEW
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    fixed_at: datetime | None = None
    accepted_until: datetime | None = None
    accepted_by: str | None = None

    @model_validator(mode="after")
    def _identity(self) -> Finding:
        if not self.fingerprint:
            fingerprint = fingerprint_of(self.watcher, self.kind, self.resource)
            object.__setattr__(self, "fingerprint", fingerprint)
        return self

    @property
    def active(self) -> bool:
        """Whether the finding still needs someone (new or open)."""
        return self.state in (FindingState.NEW, FindingState.OPEN)


class WatchRun(Model):
    """What one run of a watcher found and did: its findings after tracking (new, open,
    accepted), those it no longer saw (now fixed), and one line per finding routed onward."""

    watcher: str
    at: datetime
    findings: tuple[Finding, ...] = ()
    fixed: tuple[Finding, ...] = ()
    routed: tuple[str, ...] = ()
    error: str | None = None

    @property
    def new(self) -> tuple[Finding, ...]:
        """The findings first seen by this run."""
        return tuple(f for f in self.findings if f.state is FindingState.NEW)
