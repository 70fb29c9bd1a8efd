"""The last kill-switch check: GuardedDriver reads the switch from the database right before each
real write (apply or rollback) and lets dry runs through, on the kit's real FakeDriver."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightowl.actions.guard import GuardedDriver, killswitch_check
from nightowl.domain import ActionSpec, ActionStatus, Risk
from nightowl.errors import HaltedError
from nightowl.store.control import ControlStore
from nightowl.store.database import migrated_engine
from nightowl.testing.driver import FakeDriver, FakeService

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)


def rollback(key: str = "key-1") -> ActionSpec:
    return ActionSpec(
        kind="rollback", service="checkout", params={}, runbook="test", risk=Risk.LOW,
        reason="test", rollback="test", idempotency_key=key,
    )  # fmt: skip


@pytest.fixture
def control(tmp_path: Path) -> Iterator[ControlStore]:
    engine = migrated_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield ControlStore(engine)
    engine.dispose()


@pytest.fixture
def inner() -> FakeDriver:
    return FakeDriver({"checkout": FakeService(version="v2", previous_version="v1")})


def test_it_passes_the_wrapped_drivers_identity_through(
    inner: FakeDriver, control: ControlStore
) -> None:
    guarded = GuardedDriver(inner, killswitch_check(control))
    assert (guarded.name, guarded.kinds) == (inner.name, inner.kinds)
    assert guarded.plan(rollback()) == "roll back checkout from v2 to v1"


def test_with_the_switch_off_writes_go_through(inner: FakeDriver, control: ControlStore) -> None:
    guarded = GuardedDriver(inner, killswitch_check(control))
    done = asyncio.run(guarded.apply(rollback(), dry_run=False))
    assert done.status is ActionStatus.SUCCEEDED
    assert inner.world["checkout"].version == "v1"
    undone = asyncio.run(guarded.rollback(done))
    assert undone.status is ActionStatus.ROLLED_BACK
    assert inner.world["checkout"].version == "v2"


def test_a_switch_turned_on_after_the_wrap_stops_the_next_write(
    inner: FakeDriver, control: ControlStore
) -> None:
    guarded = GuardedDriver(inner, killswitch_check(control))
    done = asyncio.run(guarded.apply(rollback("a"), dry_run=False))
    control.set_killswitch(True, by="oncall", reason="bad deploy storm", at=AT)

    with pytest.raises(HaltedError, match="kill switch is on by oncall") as caught:
        asyncio.run(guarded.apply(rollback("b"), dry_run=False))
    assert caught.value.retryable is False
    with pytest.raises(HaltedError):
        asyncio.run(guarded.rollback(done))
    assert [a.idempotency_key for a in inner.applied] == ["a"]  # nothing after the switch
    assert inner.world["checkout"].version == "v1"


def test_dry_runs_pass_while_the_switch_is_on(inner: FakeDriver, control: ControlStore) -> None:
    control.set_killswitch(True, by="oncall", reason="freeze", at=AT)
    guarded = GuardedDriver(inner, killswitch_check(control))
    preview = asyncio.run(guarded.apply(rollback(), dry_run=True))
    assert preview.status is ActionStatus.DRY_RUN
    assert inner.applied == []
    control.set_killswitch(False, by="oncall", reason="over", at=AT)
    assert asyncio.run(guarded.apply(rollback(), dry_run=False)).status is ActionStatus.SUCCEEDED
