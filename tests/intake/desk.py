"""An intake over a real SQLite store on a clock the test moves, and Alertmanager alerts to feed it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nightowl.domain import AlertState
from nightowl.domain.intake import FlushResult, IngestOutcome
from nightowl.intake.service import Intake
from nightowl.settings import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.store import IncidentStore
from nightowl.store.groups import GroupStore
from nightowl.store.intake import load_states
from nightowl.store.silences import SilenceStore

T0 = datetime(2026, 11, 20, 3, 2, 5, tzinfo=UTC)


def am_alert(
    name: str = "HighLatency",
    service: str | None = "checkout",
    status: str = "firing",
    starts: str = "2026-11-20T03:02:00Z",
    **labels: str,
) -> dict[str, Any]:
    all_labels = {"alertname": name, "severity": "critical", **labels}
    if service:
        all_labels["service"] = service
    return {
        "status": status,
        "labels": all_labels,
        "annotations": {"summary": f"{name} on {service}"},
        "startsAt": starts,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-20T03:30:00Z",
    }


def alerts_of(*alerts: dict[str, Any]) -> list[Any]:
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "receiver": "nightowl",
        "alerts": list(alerts),
    }
    return list(AlertmanagerSource().parse(json.dumps(body).encode(), {}).alerts)


@dataclass
class Desk:
    """An intake over a real store, on a clock the test moves."""

    store: IncidentStore
    settings: IntakeSettings
    now: datetime = T0
    intake: Intake = field(init=False)

    def __post_init__(self) -> None:
        self.intake = Intake(
            self.settings,
            GroupStore(self.store.engine),
            SilenceStore(self.store.engine),
            lambda: self.now,
        )

    def send(self, *alerts: dict[str, Any]) -> IngestOutcome:
        return self.intake.ingest_now(alerts_of(*alerts))

    def receive(self, *alerts: dict[str, Any]) -> tuple[IngestOutcome, list[FlushResult]]:
        """Ingest, then flush what is due at once (what the webhook does with group_wait 0)."""
        outcome = self.send(*alerts)
        flushed = [r for key in outcome.due_groups if (r := self.intake.flush(key)) is not None]
        return outcome, flushed

    def later(self, **delta: float) -> list[FlushResult]:
        """Move the clock, then run one dispatcher cycle."""
        self.now += timedelta(**delta)
        return self.intake.flush_due()

    def state(self, alert: dict[str, Any]) -> AlertState:
        [parsed] = alerts_of(alert)
        with self.intake.groups.write() as session:
            return load_states(session, [parsed.fingerprint])[parsed.fingerprint]
