"""Closing an escalated incident by hand (``nightowl.app.closing``) on a real store: who may, from
which statuses, the reason in the signed audit trail, and the errors a person gets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightowl.app.access import Principal
from nightowl.app.closing import resolve_by_hand
from nightowl.app.records import Records
from nightowl.domain import IncidentStatus, Severity
from nightowl.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from nightowl.settings import Role, Settings

DANA = Principal(name="dana", role=Role.RESPONDER, via="token")
VIC = Principal(name="vic", role=Role.VIEWER, via="token")


@pytest.fixture
def records(tmp_path: Path) -> Iterator[Records]:
    opened = Records.open(Settings.model_validate({"data_dir": str(tmp_path)}))
    yield opened
    opened.close()


def incident(records: Records, status: IncidentStatus, incident_id: str = "inc-7f3a9c") -> str:
    store = records.stores.incidents
    store.create_incident(
        incident_id=incident_id,
        correlation_key=f"key-{incident_id}",
        title="HighLatency on checkout",
        service="checkout",
        severity=Severity.HIGH,
        opened_at=datetime(2026, 12, 4, 3, 2, tzinfo=UTC),
    )
    store.set_status(incident_id, status)
    return incident_id


def test_a_responder_closes_an_escalated_incident_and_the_reason_is_audited(
    records: Records,
) -> None:
    incident(records, IncidentStatus.ESCALATED)
    closed = resolve_by_hand(records, "inc-7f3", "  rolled back by hand at 03:20  ", DANA)
    assert closed.status is IncidentStatus.RESOLVED
    [record] = [r for r in records.audit_records() if r.kind == "incident.resolved"]
    assert (record.incident_id, record.actor) == ("inc-7f3a9c", "dana")
    assert record.data == {
        "reason": "rolled back by hand at 03:20",
        "was": "escalated",
        "role": "responder",
        "via": "token",
    }
    assert records.audit_check().ok
    with pytest.raises(ConflictError, match="already resolved"):
        resolve_by_hand(records, "inc-7f3a9c", "again", DANA)


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (IncidentStatus.INVESTIGATING, "still working on it"),
        (IncidentStatus.VERIFYING, "still working on it"),
        (IncidentStatus.AWAITING_APPROVAL, "nightowl approvals list"),
    ],
)
def test_an_incident_its_workflow_is_on_is_not_closed(
    records: Records, status: IncidentStatus, says: str
) -> None:
    incident(records, status)
    with pytest.raises(ConflictError, match=says):
        resolve_by_hand(records, "inc-7f3a9c", "done", DANA)
    assert records.incident("inc-7f3a9c").status is status
    assert not [r for r in records.audit_records() if r.kind == "incident.resolved"]


def test_a_viewer_may_not_and_the_refusal_is_audited(records: Records) -> None:
    incident(records, IncidentStatus.ESCALATED)
    with pytest.raises(ForbiddenError, match="responder"):
        resolve_by_hand(records, "inc-7f3a9c", "done", VIC)
    assert records.incident("inc-7f3a9c").status is IncidentStatus.ESCALATED
    [refused] = [r for r in records.audit_records() if r.kind == "access.refused"]
    assert (refused.actor, refused.incident_id) == ("vic", "inc-7f3a9c")


def test_an_empty_or_endless_reason_and_an_unknown_id_are_clear_errors(records: Records) -> None:
    incident(records, IncidentStatus.ESCALATED)
    with pytest.raises(InputError, match="say why"):
        resolve_by_hand(records, "inc-7f3a9c", "   ", DANA)
    with pytest.raises(InputError, match="at most 1000"):
        resolve_by_hand(records, "inc-7f3a9c", "x" * 1001, DANA)
    with pytest.raises(NotFoundError):
        resolve_by_hand(records, "inc-nope", "done", DANA)
    assert records.incident("inc-7f3a9c").status is IncidentStatus.ESCALATED
