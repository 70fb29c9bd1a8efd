"""The contract of a write-side driver.

A driver changes production, so every driver:

- ``plan`` says, without touching anything, exactly what ``apply`` would do;
- ``apply`` captures the pre-state, then acts, unless ``dry_run`` (the default everywhere), in which
  case it only reports what it would have done — with the pre-state and the expected post-state it
  read, and, where it can measure one, the action's ``blast_radius``; the gate judges that preview;
- is idempotent under ``action.idempotency_key``: applying the same key twice acts once (the workflow
  also checks the store before calling it);
- ``rollback`` restores the captured pre-state of a result it produced (a result whose action
  cannot be undone, such as a restart, is reported as rolled back with a message saying so).

Errors: ActionError, with ``retryable`` set when trying again may help; HaltedError when the kill
switch stopped a write. The policy gate is applied before a driver is ever called; drivers do not
decide whether they may act.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from nightowl.domain import ActionResult, ActionSpec


@runtime_checkable
class ActionDriver(Protocol):
    """A write-side driver: ``plan``, ``apply`` (dry run by default) and ``rollback`` for the
    action ``kinds`` it performs; the full contract is in the module docstring.
    """

    name: str
    kinds: frozenset[str]

    def plan(self, action: ActionSpec) -> str:
        """What ``apply`` would do, in one sentence; reads nothing that changes and writes
        nothing.
        """

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Capture the pre-state, then act once per idempotency key; with ``dry_run`` only
        report.
        """

    async def rollback(self, result: ActionResult) -> ActionResult:
        """Restore the pre-state ``result`` captured; say so when the action cannot be undone."""
