"""The engine's state machine: given what a stage returned, which stage runs next, in which round.

Pure and deterministic (no I/O, no clock), so DBOS can replay the workflow around it after a crash
and reach the same state, and so it can be tested without DBOS. The rules:

- a failed stage, or one that says STOP, skips to the stages that always run (report, notify); a
  failure also marks the run failed (the incident is escalated at the end);
- REDIAGNOSE goes back to diagnose for the next cycle, remembering what was tried;
- LOOK_AGAIN goes back to gather after a pause, counting the looks;
- anything else goes on to the next stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.domain import Next, Round, StageName
from nightowl.domain.base import Model
from nightowl.domain.stages import Wait
from nightowl.workflow.pipeline import ALWAYS_RUN, LOOK_AGAIN_FROM, REDIAGNOSE_FROM


class Outcome(Model):
    """What a stage step recorded (in DBOS's step results: small, never the observations)."""

    summary: str
    next: Next = Next.CONTINUE
    wait: Wait | None = None
    tried: tuple[str, ...] = ()
    tried_runbooks: tuple[str, ...] = ()
    observations: str | None = None
    """The reference of observations the stage returned, stored by the engine."""
    failed: bool = False


class Machine:
    """Walks ``order`` one outcome at a time; ``stage`` is None when the run is over."""

    def __init__(self, order: Sequence[StageName], look_again_seconds: float = 0.0) -> None:
        self.order = list(order)
        self.look_again_seconds = look_again_seconds
        self.index = 0
        self.round = Round()
        self.failed = False

    @property
    def stage(self) -> StageName | None:
        """The stage to run next; None when the pipeline is done."""
        return self.order[self.index] if self.index < len(self.order) else None

    def advance(self, outcome: Outcome) -> float:
        """Move past the current stage; the seconds to pause before the next one (0: none)."""
        if outcome.observations is not None:
            self.round = self.round.model_copy(update={"observations": outcome.observations})
        self.failed = self.failed or outcome.failed
        if self.failed or outcome.next is Next.STOP:
            self.index = self._next_always_run()
        elif outcome.next is Next.REDIAGNOSE:
            self.round = self.round.model_copy(
                update={
                    "cycle": self.round.cycle + 1,
                    "tried": (*self.round.tried, *outcome.tried),
                    "tried_runbooks": (*self.round.tried_runbooks, *outcome.tried_runbooks),
                }
            )
            self.index = self.order.index(REDIAGNOSE_FROM)
        elif outcome.next is Next.LOOK_AGAIN:
            self.round = self.round.model_copy(update={"looks": self.round.looks + 1})
            self.index = self.order.index(LOOK_AGAIN_FROM)
            return self.look_again_seconds
        else:
            self.index += 1
        return 0.0

    def _next_always_run(self) -> int:
        for index in range(self.index + 1, len(self.order)):
            if self.order[index] in ALWAYS_RUN:
                return index
        return len(self.order)
