"""What the runbooks tell other stages (the RunbookFacts port): whether a runbook always asks a
human, the window verify watches, and the undo steps a runbook adds to restoring pre-state."""

from __future__ import annotations

from datetime import UTC, datetime

from nightowl.domain import Diagnosis, Incident, IncidentStatus, RootCause
from nightowl.runbooks.book import Runbooks
from nightowl.runbooks.model import Runbook

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

WATCHED = Runbook.model_validate(
    {
        "name": "restart-and-watch",
        "description": "restart, then watch for ten minutes",
        "trigger": {"fault_kinds": ["memory_leak"]},
        "steps": [{"action": "restart"}, {"verify": {"window_seconds": 600, "settle_seconds": 30}}],
        "rollback": [{"action": "scale", "params": {"replicas": 3}}],
        "requires_approval": True,
    }
)
PLAIN = Runbook.model_validate(
    {
        "name": "scale-out",
        "description": "add replicas",
        "trigger": {"fault_kinds": ["traffic_spike"]},
        "steps": [{"action": "scale_out"}],
        "rollback": "scale back by hand",
    }
)


def incident(kind: str | None) -> Incident:
    cause = RootCause(kind=kind, service="checkout", summary="x") if kind else None
    diagnosis = Diagnosis(
        root_cause=cause, confidence=0.9, explanation="because", hypotheses=(), decided_at=AT
    )
    return Incident(
        id="inc-1", title="t", status=IncidentStatus.VERIFYING, service="checkout",
        severity=None, category=None, opened_at=AT, updated_at=AT, alert_count=1,
        diagnosis=diagnosis,
    )  # fmt: skip


def test_the_collection_keeps_its_order_and_knows_who_asks_a_human() -> None:
    books = Runbooks([WATCHED, PLAIN])
    assert [b.name for b in books] == ["restart-and-watch", "scale-out"]
    assert len(books) == 2
    assert books.requires_approval("restart-and-watch")
    assert not books.requires_approval("scale-out")
    assert not books.requires_approval("no-such-runbook")


def test_the_recovery_window_is_the_planned_runbooks_own() -> None:
    books = Runbooks([WATCHED, PLAIN])
    window = books.recovery_window(incident("memory_leak"), {"restart-and-watch"})
    assert window is not None
    assert (window.settle_seconds, window.window_seconds) == (30, 600)
    assert books.recovery_window(incident("traffic_spike"), {"scale-out"}) is None  # no verify step
    assert books.recovery_window(incident(None), {"restart-and-watch"}) is None  # no root cause


def test_undo_steps_are_the_planned_runbooks_rollback_actions() -> None:
    books = Runbooks([WATCHED, PLAIN])
    (undo,) = books.undo_steps(incident("memory_leak"), {"restart-and-watch", "scale-out"})
    assert (undo.kind, undo.service, undo.params) == ("scale", "checkout", {"replicas": 3})
    assert books.undo_steps(incident("memory_leak"), {"scale-out"}) == []  # a note, no steps
    assert books.undo_steps(incident(None), {"restart-and-watch"}) == []
