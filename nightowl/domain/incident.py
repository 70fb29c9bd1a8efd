"""The incident and the record each stage leaves on it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from nightowl.domain.alerts import Alert
from nightowl.domain.base import Model
from nightowl.domain.diagnosis import Diagnosis, Hypothesis
from nightowl.domain.evidence import Evidence
from nightowl.domain.remediation import ActionResult, ActionSpec, Decision, Verification
from nightowl.domain.vocabulary import Severity


class StageName(StrEnum):
    """The stages of an incident, in pipeline order (the order itself lives in workflow/)."""

    TRIAGE = "triage"
    GATHER = "gather"
    ANALYZE = "analyze"
    DIAGNOSE = "diagnose"
    PLAN = "plan"
    GATE = "gate"
    APPROVE = "approve"
    ACT = "act"
    VERIFY = "verify"
    REPORT = "report"
    NOTIFY = "notify"


class StageStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class IncidentStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    AWAITING_APPROVAL = "awaiting_approval"
    VERIFYING = "verifying"
    """Every alert has resolved; nightowl re-checks the signals before closing the incident."""
    RESOLVED = "resolved"
    ESCALATED = "escalated"


class Category(StrEnum):
    PERFORMANCE = "performance"
    AVAILABILITY = "availability"
    RESOURCE = "resource"
    DEPLOYMENT = "deployment"
    SECURITY = "security"


class Triage(Model):
    category: Category
    severity: Severity
    service: str | None
    reasons: tuple[str, ...]


class StageRecord(Model):
    stage: StageName
    status: StageStatus
    started_at: datetime
    finished_at: datetime | None = None
    summary: str = ""
    error: str | None = None
    attempt: int = 1


class Notification(Model):
    channel: str
    ok: bool
    sent_at: datetime
    detail: str


class Report(Model):
    markdown: str
    path: str | None
    created_at: datetime


class IncidentSummary(Model):
    id: str
    title: str
    status: IncidentStatus
    service: str | None
    severity: Severity | None
    category: Category | None
    opened_at: datetime
    updated_at: datetime
    alert_count: int


class Incident(IncidentSummary):
    """Everything known about one incident, as stored and as served by the API."""

    alerts: tuple[Alert, ...] = ()
    """The newest alert notifications (at most the store's ``ALERTS_LOADED``), oldest first;
    ``alert_count`` counts them all — a storm incident can hold tens of thousands."""
    triage: Triage | None = None
    stages: tuple[StageRecord, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
    diagnosis: Diagnosis | None = None
    plan: tuple[ActionSpec, ...] = ()
    decisions: tuple[Decision, ...] = ()
    actions: tuple[ActionResult, ...] = ()
    verification: Verification | None = None
    report: Report | None = None
    report_path: str | None = None
    notifications: tuple[Notification, ...] = ()
