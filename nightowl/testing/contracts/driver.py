"""The ActionDriver contract (``nightowl.actions.protocol``).

Fixtures: ``driver`` (the plugin, on a world of its own) and ``driver_case`` (a reversible
action it performs, and a function reading the part of the world that action changes, from
outside the driver). The tests: a plan and a dry run write nothing; apply acts once under the
action's key; rollback restores the pre-state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nightowl.actions.protocol import ActionDriver
from nightowl.domain import ActionSpec, ActionStatus


@dataclass(frozen=True)
class DriverCase:
    """A reversible action (its kind one of the driver's) and a reader of what it changes."""

    action: ActionSpec
    state: Callable[[], object]


class ActionDriverContract:
    """Run the ActionDriver contract against a plugin's ``driver`` and ``driver_case``."""

    def test_shape(self, driver: Any, driver_case: DriverCase) -> None:
        """The driver satisfies the protocol, has a name, and performs the case's action kind."""
        assert isinstance(driver, ActionDriver)
        assert isinstance(driver.name, str)
        assert driver_case.action.kind in driver.kinds

    def test_plan_and_dry_run_write_nothing(self, driver: Any, driver_case: DriverCase) -> None:
        """``plan`` and a dry run leave the world as it was; the dry run carries the action's
        key.
        """
        before = driver_case.state()
        assert driver.plan(driver_case.action)
        dry = asyncio.run(driver.apply(driver_case.action, dry_run=True))
        assert dry.status is ActionStatus.DRY_RUN
        assert dry.dry_run
        assert dry.idempotency_key == driver_case.action.idempotency_key
        assert driver_case.state() == before

    def test_apply_is_idempotent_under_the_key(self, driver: Any, driver_case: DriverCase) -> None:
        """The first apply changes the world; a second under the same key changes nothing more."""
        before = driver_case.state()
        first = asyncio.run(driver.apply(driver_case.action, dry_run=False))
        assert first.status is ActionStatus.SUCCEEDED
        after = driver_case.state()
        assert after != before
        again = asyncio.run(driver.apply(driver_case.action, dry_run=False))
        assert again.idempotency_key == first.idempotency_key
        assert driver_case.state() == after

    def test_rollback_restores_the_pre_state(self, driver: Any, driver_case: DriverCase) -> None:
        """Rolling back an applied action puts the world back as it was before it."""
        before = driver_case.state()
        done = asyncio.run(driver.apply(driver_case.action, dry_run=False))
        undone = asyncio.run(driver.rollback(done))
        assert undone.status is ActionStatus.ROLLED_BACK
        assert driver_case.state() == before
