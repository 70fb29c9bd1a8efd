"""Conversions between rows and domain models, in one place so both directions stay in step.

A domain model goes into a ``body`` column as ``model_dump(mode="json")`` and is read back with
``model_validate``; ``dump`` checks that round trip before anything is written, so a model that
cannot be read back is refused at save time rather than discovered at read time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from nightowl.domain import (
    ActionResult,
    ActionSpec,
    Alert,
    AlertStatus,
    Category,
    Decision,
    Diagnosis,
    Evidence,
    Hypothesis,
    Incident,
    IncidentStatus,
    IncidentSummary,
    Model,
    Notification,
    Report,
    Severity,
    StageName,
    StageRecord,
    StageStatus,
    Triage,
    Verification,
)
from nightowl.store.tables import (
    ActionRow,
    AlertRow,
    DecisionRow,
    EvidenceRow,
    HypothesisRow,
    IncidentRow,
    NotificationRow,
    PlanItemRow,
    StageRunRow,
)

STAGE_ORDER = {stage.value: index for index, stage in enumerate(StageName)}


def dump(model: Model) -> dict[str, Any]:
    """The JSON form of ``model``, after checking that it validates back into the same type."""
    data = model.model_dump(mode="json")
    type(model).model_validate(data)
    return data


def alert_values(incident_id: str, alert: Alert, received_at: datetime) -> dict[str, Any]:
    """The row values of one alert notification attached to ``incident_id``."""
    return {
        "incident_id": incident_id,
        "fingerprint": alert.fingerprint,
        "content_hash": alert.content_hash,
        "status": alert.status.value,
        "name": alert.name,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "generator_url": alert.generator_url,
        "source": alert.source,
        "received_at": received_at,
    }


def alert_from(row: AlertRow) -> Alert:
    """The alert a stored row holds."""
    return Alert(
        source=row.source,
        fingerprint=row.fingerprint,
        content_hash=row.content_hash,
        status=AlertStatus(row.status),
        name=row.name,
        labels=row.labels,
        annotations=row.annotations,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        generator_url=row.generator_url,
    )


def stage_values(record: StageRecord) -> dict[str, Any]:
    """The row values of a stage record (its incident, stage and attempt are the key, given
    apart).
    """
    return {
        "status": record.status.value,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "summary": record.summary,
        "error": record.error,
    }


def latest_stages(rows: Iterable[StageRunRow]) -> tuple[StageRecord, ...]:
    """The newest attempt of each stage, in pipeline order."""
    latest: dict[str, StageRunRow] = {}
    for row in rows:
        if row.stage not in latest or row.attempt > latest[row.stage].attempt:
            latest[row.stage] = row
    ordered = sorted(latest.values(), key=lambda row: STAGE_ORDER.get(row.stage, len(STAGE_ORDER)))
    return tuple(
        StageRecord(
            stage=StageName(row.stage),
            status=StageStatus(row.status),
            started_at=row.started_at,
            finished_at=row.finished_at,
            summary=row.summary,
            error=row.error,
            attempt=row.attempt,
        )
        for row in ordered
    )


def evidence_rows(incident_id: str, evidence: Sequence[Evidence]) -> list[EvidenceRow]:
    """One row per piece of evidence, numbered in order; ValueError naming repeated evidence ids."""
    ids = [item.id for item in evidence]
    if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
        raise ValueError(f"evidence ids must be unique per incident; repeated: {duplicated}")
    return [
        EvidenceRow(
            incident_id=incident_id,
            position=position,
            evidence_id=item.id,
            kind=item.kind.value,
            service=item.service,
            body=dump(item),
        )
        for position, item in enumerate(evidence)
    ]


def hypothesis_rows(incident_id: str, hypotheses: Sequence[Hypothesis]) -> list[HypothesisRow]:
    """One row per hypothesis, numbered in order."""
    return [
        HypothesisRow(
            incident_id=incident_id,
            position=position,
            kind=item.kind,
            service=item.service,
            status=item.status.value,
            body=dump(item),
        )
        for position, item in enumerate(hypotheses)
    ]


def plan_rows(incident_id: str, plan: Sequence[ActionSpec]) -> list[PlanItemRow]:
    """One row per planned action, numbered in order."""
    return [
        PlanItemRow(
            incident_id=incident_id,
            position=position,
            idempotency_key=item.idempotency_key,
            kind=item.kind,
            service=item.service,
            body=dump(item),
        )
        for position, item in enumerate(plan)
    ]


def decision_rows(incident_id: str, decisions: Sequence[Decision]) -> list[DecisionRow]:
    """One row per gate decision, numbered in order."""
    return [
        DecisionRow(
            incident_id=incident_id,
            position=position,
            idempotency_key=item.idempotency_key,
            verdict=item.verdict.value,
            body=dump(item),
        )
        for position, item in enumerate(decisions)
    ]


def summary_from(row: IncidentRow, alert_count: int) -> IncidentSummary:
    """The list line of an incident row, given its alert count."""
    return IncidentSummary(
        id=row.id,
        title=row.title,
        status=IncidentStatus(row.status),
        service=row.service,
        severity=Severity(row.severity) if row.severity else None,
        category=Category(row.category) if row.category else None,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        alert_count=alert_count,
    )


class Children:
    """The rows hanging off one incident, each list already in its stored order."""

    def __init__(self) -> None:
        self.alerts: list[AlertRow] = []
        self.alert_count: int | None = None
        """Every alert notification of the incident; ``alerts`` may hold only the newest."""
        self.stages: list[StageRunRow] = []
        self.evidence: list[EvidenceRow] = []
        self.hypotheses: list[HypothesisRow] = []
        self.plan: list[PlanItemRow] = []
        self.decisions: list[DecisionRow] = []
        self.actions: list[ActionRow] = []
        self.notifications: list[NotificationRow] = []


def incident_from(row: IncidentRow, children: Children) -> Incident:
    """The whole incident from its row and children; the alert count falls back to the alerts
    loaded.
    """
    count = children.alert_count if children.alert_count is not None else len(children.alerts)
    summary = summary_from(row, count)
    return Incident(
        **dict(summary),
        alerts=tuple(alert_from(a) for a in children.alerts),
        triage=Triage.model_validate(row.triage) if row.triage else None,
        stages=latest_stages(children.stages),
        evidence=tuple(Evidence.model_validate(r.body) for r in children.evidence),
        hypotheses=tuple(Hypothesis.model_validate(r.body) for r in children.hypotheses),
        diagnosis=Diagnosis.model_validate(row.diagnosis) if row.diagnosis else None,
        plan=tuple(ActionSpec.model_validate(r.body) for r in children.plan),
        decisions=tuple(Decision.model_validate(r.body) for r in children.decisions),
        actions=tuple(ActionResult.model_validate(r.body) for r in children.actions),
        verification=Verification.model_validate(row.verification) if row.verification else None,
        report=Report.model_validate(row.report) if row.report else None,
        report_path=row.report_path,
        notifications=tuple(Notification.model_validate(r.body) for r in children.notifications),
    )
