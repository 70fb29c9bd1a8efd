"""Stored approval requests: opened once per id, listed newest first by status or incident, and
answered exactly once — a second answer, even a concurrent one, is refused."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from nightowl.domain import ActionSpec, ApprovalRequest, ApprovalStatus, Risk
from nightowl.errors import InputError, NotFoundError
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from tests.store.samples import T0


def request(rid: str, incident: str = "inc-1", minutes: int = 0) -> ApprovalRequest:
    action = ActionSpec(
        kind="rollback", service="checkout", params={}, runbook="r", risk=Risk.HIGH,
        reason="bad deploy", rollback="redeploy", idempotency_key=f"key-{rid}",
    )  # fmt: skip
    at = T0 + timedelta(minutes=minutes)
    return ApprovalRequest(
        id=rid, incident_id=incident, service="checkout", action=action, plan="roll back",
        rollback="redeploy", diagnosis="bad deploy", approvers=("ana",), requested_at=at,
        expires_at=at + timedelta(hours=1),
    )  # fmt: skip


def test_opening_the_same_request_twice_keeps_the_first(store: IncidentStore) -> None:
    approvals = ApprovalStore(store.engine)
    first = approvals.open(request("apr-1"))
    again = approvals.open(request("apr-1").model_copy(update={"plan": "something else"}))
    assert again == first
    assert approvals.get("apr-1").plan == "roll back"


def test_an_unknown_request_says_how_to_list_them(store: IncidentStore) -> None:
    with pytest.raises(NotFoundError, match="nightowl approvals list"):
        ApprovalStore(store.engine).get("apr-none")


def test_the_list_is_newest_first_and_filters_by_status_and_incident(store: IncidentStore) -> None:
    approvals = ApprovalStore(store.engine)
    for rid, incident, minutes in [("a", "inc-1", 0), ("b", "inc-2", 5), ("c", "inc-1", 10)]:
        approvals.open(request(rid, incident, minutes))
    approvals.decide("a", ApprovalStatus.DENIED, by="ana", reason="no", at=T0)
    assert [r.id for r in approvals.list()] == ["c", "b", "a"]
    assert [r.id for r in approvals.list(incident_id="inc-1")] == ["c", "a"]
    assert [r.id for r in approvals.list(status=ApprovalStatus.PENDING)] == ["c", "b"]
    assert approvals.list(status=ApprovalStatus.APPROVED, incident_id="inc-2") == []


def test_a_request_is_answered_once(store: IncidentStore) -> None:
    approvals = ApprovalStore(store.engine)
    approvals.open(request("apr-1"))
    at = T0 + timedelta(minutes=3)
    decided = approvals.decide("apr-1", ApprovalStatus.APPROVED, by="ana", reason="ok", at=at)
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        ApprovalStatus.APPROVED,
        "ana",
        at,
    )
    assert approvals.get("apr-1") == decided
    with pytest.raises(InputError, match="already approved by ana"):
        approvals.decide("apr-1", ApprovalStatus.DENIED, by="bob", reason="no", at=at)


def test_concurrent_answers_record_exactly_one(store: IncidentStore) -> None:
    approvals = ApprovalStore(store.engine)
    approvals.open(request("apr-1"))
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def answer(user: str) -> None:
        start.wait()
        try:
            approvals.decide("apr-1", ApprovalStatus.APPROVED, by=user, reason="", at=T0)
            outcomes.append(f"won:{user}")
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=answer, args=(f"u{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [o for o in outcomes if o.startswith("won:")]
    assert len(winners) == 1
    assert outcomes.count("refused") == 3
    assert f"won:{approvals.get('apr-1').decided_by}" == winners[0]
