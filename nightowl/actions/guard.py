"""Every driver, wrapped: the kill switch is read from the database immediately before each write.

The gate and the act stage check the kill switch too; this is the last check, as close to the
write as it can be, so a switch turned on while an incident is between stages (or between two
actions of one stage) stops the next write on every worker. Dry runs write nothing and pass.
"""

from __future__ import annotations

from collections.abc import Callable

from nightowl.actions.protocol import ActionDriver
from nightowl.domain import ActionResult, ActionSpec
from nightowl.errors import HaltedError
from nightowl.store.control import ControlStore


class GuardedDriver:
    """An ActionDriver that calls ``check`` before every write of the driver it wraps."""

    def __init__(self, driver: ActionDriver, check: Callable[[str], None]) -> None:
        self.inner = driver
        self.name = driver.name
        self.kinds = driver.kinds
        self.check = check

    def plan(self, action: ActionSpec) -> str:
        """The wrapped driver's plan: planning writes nothing, so no check."""
        return self.inner.plan(action)

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Check the kill switch (HaltedError while it is on), then apply; a dry run is not
        checked.
        """
        if not dry_run:
            self.check(self.name)
        return await self.inner.apply(action, dry_run=dry_run)

    async def rollback(self, result: ActionResult) -> ActionResult:
        """Check the kill switch, then roll back; undoing a dry run writes nothing and is not
        checked.
        """
        if not result.dry_run:
            self.check(self.name)
        return await self.inner.rollback(result)


def killswitch_check(control: ControlStore) -> Callable[[str], None]:
    """A check that raises HaltedError while the kill switch in ``control`` is on."""

    def check(driver: str) -> None:
        state = control.killswitch()
        if state.on:
            raise HaltedError(state.message(), driver=driver)

    return check
