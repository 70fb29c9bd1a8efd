"""Intake against a real SQLite store: a group opens an incident, a repeat changes nothing, a
related alert joins, a lone resolution opens nothing, and incident ids are deterministic.

Groups are flushed at once (``group_wait_seconds: 0``), as the webhook does when a group is due.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nightowl.app.findings import alert_group
from nightowl.domain import AlertGroup, IncidentStatus, Severity
from nightowl.domain.findings import Finding
from nightowl.domain.intake import FlushResult, IngestOutcome
from nightowl.intake.service import Intake
from nightowl.settings import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.store import IncidentStore
from nightowl.store.groups import GroupStore
from nightowl.store.silences import SilenceStore

T0 = datetime(2026, 11, 20, 3, 2, 5, tzinfo=UTC)


def am_alert(
    name: str = "HighLatency",
    service: str | None = "checkout",
    status: str = "firing",
    starts: str = "2026-11-20T03:02:00Z",
    severity: str = "critical",
) -> dict[str, Any]:
    labels = {"alertname": name, "severity": severity}
    if service:
        labels["service"] = service
    return {
        "status": status,
        "labels": labels,
        "annotations": {"summary": f"{name} on {service}"},
        "startsAt": starts,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-20T03:30:00Z",
    }


def group(*alerts: dict[str, Any]) -> AlertGroup:
    firing = any(a["status"] == "firing" for a in alerts)
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing" if firing else "resolved",
        "receiver": "nightowl",
        "alerts": list(alerts),
    }
    return AlertmanagerSource().parse(json.dumps(body).encode(), {})


@dataclass
class Desk:
    """An intake over a real store, on a clock the test moves."""

    store: IncidentStore
    now: datetime = T0
    intake: Intake = field(init=False)

    def __post_init__(self) -> None:
        self.intake = Intake(
            IntakeSettings(group_wait_seconds=0),
            GroupStore(self.store.engine),
            SilenceStore(self.store.engine),
            lambda: self.now,
        )

    def receive(self, alerts: AlertGroup) -> tuple[IngestOutcome, list[FlushResult]]:
        outcome = self.intake.ingest_now(list(alerts.alerts))
        flushed = [r for key in outcome.due_groups if (r := self.intake.flush(key)) is not None]
        return outcome, flushed


def open_desk(directory: Path) -> Desk:
    return Desk(IncidentStore.open(f"sqlite:///{directory / 'nightowl.sqlite'}"))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(tmp_path)
    yield desk
    desk.store.close()


def test_a_group_opens_an_incident(desk: Desk) -> None:
    outcome, [flushed] = desk.receive(group(am_alert()))

    assert outcome.verdicts == ["new"]
    assert flushed.kind == "opened"
    assert flushed.incident_id is not None
    assert flushed.incident_id.startswith("inc-")
    incident = desk.store.get(flushed.incident_id)
    assert incident.title == "HighLatency on checkout"
    assert (incident.service, incident.severity) == ("checkout", Severity.CRITICAL)
    assert incident.status is IncidentStatus.OPEN
    assert incident.opened_at == T0
    assert [a.name for a in incident.alerts] == ["HighLatency"]


def test_the_same_group_again_is_the_same_incident_and_changes_nothing(desk: Desk) -> None:
    _, [first] = desk.receive(group(am_alert()))
    before = desk.store.get(str(first.incident_id))
    desk.now += timedelta(minutes=1)

    again, flushed = desk.receive(group(am_alert()))

    assert again.verdicts == ["duplicate"]
    assert set(again.incident_of.values()) == {first.incident_id}
    assert flushed == []
    assert desk.store.get(str(first.incident_id)) == before
    assert len(desk.store.list()) == 1


def test_another_alert_for_the_same_service_joins_the_open_incident(desk: Desk) -> None:
    _, [first] = desk.receive(group(am_alert()))
    desk.now += timedelta(minutes=2)

    outcome, [joined] = desk.receive(
        group(am_alert("HighErrorRate", starts="2026-11-20T03:04:00Z"))
    )

    assert outcome.verdicts == ["new"]
    assert (joined.kind, joined.incident_id) == ("joined", first.incident_id)
    assert "checkout" in joined.reason
    names = [a.name for a in desk.store.get(str(first.incident_id)).alerts]
    assert names == ["HighLatency", "HighErrorRate"]
    assert len(desk.store.list()) == 1


def test_an_alert_for_an_unrelated_service_opens_another_incident(desk: Desk) -> None:
    _, [first] = desk.receive(group(am_alert()))

    _, [other] = desk.receive(group(am_alert(service="payments")))

    assert other.kind == "opened"
    assert other.incident_id != first.incident_id
    assert len(desk.store.list()) == 2


def test_a_resolved_only_group_without_an_open_incident_creates_nothing(desk: Desk) -> None:
    outcome, flushed = desk.receive(group(am_alert(status="resolved")))

    assert outcome.incident_of == {}
    assert all(r.incident_id is None for r in flushed)
    assert desk.store.list() == []


def test_the_resolution_of_an_incidents_last_alert_is_reported(desk: Desk) -> None:
    _, [first] = desk.receive(group(am_alert()))
    desk.now += timedelta(minutes=30)

    outcome, _ = desk.receive(group(am_alert(status="resolved")))

    assert outcome.verdicts == ["updated"]
    assert set(outcome.all_resolved) == {first.incident_id}


def test_incident_ids_are_deterministic(tmp_path: Path) -> None:
    ids = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        desk = open_desk(tmp_path / name)
        try:
            _, [flushed] = desk.receive(group(am_alert()))
            ids.append(flushed.incident_id)
        finally:
            desk.store.close()

    assert ids[0] is not None
    assert ids[0] == ids[1]


def test_another_start_is_another_incident_id(tmp_path: Path) -> None:
    ids = []
    for name, starts in (("early", "2026-11-20T03:02:00Z"), ("late", "2026-11-20T04:02:00Z")):
        (tmp_path / name).mkdir()
        desk = open_desk(tmp_path / name)
        try:
            _, [flushed] = desk.receive(group(am_alert(starts=starts)))
            ids.append(flushed.incident_id)
        finally:
            desk.store.close()

    assert ids[0] != ids[1]


def test_a_watcher_finding_titles_its_incident_and_a_webhook_summary_does_not(
    desk: Desk,
) -> None:
    title = "model churn v7: bmi drifted (unit change)"
    finding = Finding(
        watcher="churn-drift",
        kind="model_drift",
        resource="churn/feature:bmi",
        title=title,
        service="churn-api",
        first_seen=T0,
    )
    _, [flushed] = desk.receive(alert_group(finding))
    assert flushed.incident_id is not None
    assert desk.store.get(flushed.incident_id).title == title
    spoken = am_alert(service="cart")
    spoken["annotations"]["summary"] = "model churn v7: anything a sender writes"
    _, [other] = desk.receive(group(spoken))
    assert other.incident_id is not None
    assert desk.store.get(other.incident_id).title == "HighLatency on cart"
