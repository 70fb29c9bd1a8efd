"""Control state shared through the database: the kill switch (off until set, seen by every store
on the engine) and the write counts the circuit breakers read (real writes only, not dry runs)."""

from __future__ import annotations

from datetime import datetime, timedelta

from nightowl.actions.results import result
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, Risk
from nightowl.store import IncidentStore
from nightowl.store.control import ControlStore
from tests.store.samples import T0, make_incident


def spec(key: str, service: str = "checkout") -> ActionSpec:
    return ActionSpec(
        kind="restart", service=service, params={}, runbook="r", risk=Risk.LOW,
        reason="test", rollback="none", idempotency_key=key,
    )  # fmt: skip


def action(key: str, status: ActionStatus, at: datetime, service: str = "checkout") -> ActionResult:
    return result(spec(key, service), "fake", status, at, pre={}, post={}, message="test")


def test_the_kill_switch_is_off_until_set_and_every_store_sees_it(store: IncidentStore) -> None:
    one, other = ControlStore(store.engine), ControlStore(store.engine)
    assert one.killswitch().on is False
    state = one.set_killswitch(True, by="oncall", reason="storm", at=T0)
    seen = other.killswitch()
    assert (seen.on, seen.by, seen.reason) == (True, "oncall", "storm")
    assert seen == state
    assert "by oncall (storm)" in seen.message()
    other.set_killswitch(False, by="lead", reason="over", at=T0 + timedelta(minutes=5))
    assert one.killswitch().on is False
    assert one.killswitch().by == "lead"


def test_write_counts_skip_dry_runs_and_other_incidents(store: IncidentStore) -> None:
    control = ControlStore(store.engine)
    make_incident(store, "inc-1", key="k1")
    make_incident(store, "inc-2", key="k2")
    store.save_action("inc-1", action("a", ActionStatus.SUCCEEDED, T0))
    store.save_action("inc-1", action("b", ActionStatus.DRY_RUN, T0))
    store.save_action("inc-1", action("c", ActionStatus.FAILED, T0 + timedelta(minutes=30)))
    store.save_action("inc-2", action("d", ActionStatus.ROLLED_BACK, T0, service="payments"))

    assert control.writes_for_incident("inc-1") == 2
    assert control.writes_for_incident("inc-2") == 1
    assert control.writes_for_service("checkout", since=T0) == 2
    assert control.writes_for_service("checkout", since=T0 + timedelta(minutes=1)) == 1
    assert control.writes_for_service("payments", since=T0 - timedelta(hours=1)) == 1
    assert control.writes_for_service("frontend", since=T0) == 0
