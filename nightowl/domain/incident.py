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
    """The state of one attempt of a stage; a stage crashed mid-way stays ``running`` until
    re-run.
    """

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class IncidentStatus(StrEnum):
    """Where an incident is in its life; the workflow moves it forward."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    AWAITING_APPROVAL = "awaiting_approval"
    VERIFYING = "verifying"
    """Every alert has resolved; nightowl re-checks the signals before closing the incident."""
    RESOLVED = "resolved"
    ESCALATED = "escalated"


class Category(StrEnum):
    """The broad class triage puts an incident in; runbook triggers may match on it."""

    PERFORMANCE = "performance"
    AVAILABILITY = "availability"
    RESOURCE = "resource"
    DEPLOYMENT = "deployment"
    SECURITY = "security"


class Triage(Model):
    """Triage's reading of the alerts: category, severity and service, with the reasons it gave.

    ``service`` is None when the alerts do not name one.
    """

    category: Category
    severity: Severity
    service: str | None
    reasons: tuple[str, ...]


class StageRecord(Model):
    """What one attempt of one stage left on the incident: when it ran, how it ended, what it
    said.

    Stored per (incident, stage, attempt); a re-run of the same attempt replaces its record, so a
    stage retried by the durable engine never shows twice. ``error`` is the user-facing message,
    never a stack trace.
    """

    stage: StageName
    status: StageStatus
    started_at: datetime
    finished_at: datetime | None = None
    summary: str = ""
    error: str | None = None
    attempt: int = 1


class Notification(Model):
    """One message sent (or not) to one channel; ``ok`` False with ``detail`` saying why it
    failed.
    """

    channel: str
    ok: bool
    sent_at: datetime
    detail: str


class Report(Model):
    """The post-incident report: its Markdown, where it was written (None if not on disk), and
    when.
    """

    markdown: str
    path: str | None
    created_at: datetime


class IncidentSummary(Model):
    """One line of the incident list: what the list views show without loading alerts or stages."""

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

    @property
    def alert_links(self) -> tuple[str, ...]:
        """The distinct links the alerts carry (``generatorURL``: the graph, the alerting rule, the
        source's own page), oldest first. Only ``http``/``https`` links: alert text comes from
        outside, and a ``javascript:`` link must never reach a page or a chat message.
        """
        found = (a.generator_url for a in self.alerts if a.generator_url)
        return tuple(dict.fromkeys(u for u in found if u.lower().startswith(WEB_SCHEMES)))


WEB_SCHEMES = ("http://", "https://")
