"""The contract between the workflow engine and the stages: what a stage is given, what it returns.

A stage is any object with a ``name`` and ``async run(ctx, incident) -> StageResult`` (the ``Stage``
protocol). The engine loads the incident once per stage round and passes it in; the stage writes its
own results to the store and returns a one-line summary and what should come next. The control flow
(``Next``) is data the engine acts on, kept apart from the stage's results:

    CONTINUE    go on to the next stage of the pipeline
    LOOK_AGAIN  no root cause yet: wait, then gather again (bounded by the stage's own settings)
    REDIAGNOSE  not recovered and rolled back: diagnose again, excluding what ``tried`` names
    WAIT        wait durably for a message on ``wait.topic`` (or its timeout), then run me again
    STOP        skip to the stages that always run (report, notify)

Large data (the gathered observations) never travels in a result: a stage returns it in
``observations``, the engine stores it once and hands later stages a reference they load from
(``StageContext.observations``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from nightowl.domain.base import Model
from nightowl.domain.incident import Incident, StageName
from nightowl.domain.observations import Observations


class Next(StrEnum):
    """What the engine does after a stage (see the module docstring)."""

    CONTINUE = "continue"
    LOOK_AGAIN = "look_again"
    REDIAGNOSE = "rediagnose"
    WAIT = "wait"
    STOP = "stop"


class Wait(Model):
    """A stage's request: wait (durably) for a message on ``topic``, then run the stage again."""

    topic: str
    timeout_seconds: float


class Round(Model):
    """Where an incident's run stands; the engine keeps it and every stage sees it.

    ``cycle`` counts diagnose → act → verify rounds; ``tried``/``tried_runbooks`` are the root
    causes ("kind:service") and runbooks whose remedy did not work, so the next round picks another;
    ``looks`` counts how often diagnosis asked to gather again; ``observations`` is the reference of
    the latest gathered observations in the store (None before gather ran).
    """

    cycle: int = 0
    tried: tuple[str, ...] = ()
    tried_runbooks: tuple[str, ...] = ()
    looks: int = 0
    observations: str | None = None


class Reply(Model):
    """What came back from a wait: the message, or None when the wait timed out."""

    message: dict[str, Any] | None = None


class StageResult(Model):
    """A stage's outcome: its one-line summary and what comes next.

    ``tried``/``tried_runbooks`` go with ``REDIAGNOSE`` (what this round tried and failed);
    ``observations`` is large data the engine stores once for later stages.
    """

    summary: str
    next: Next = Next.CONTINUE
    wait: Wait | None = None
    tried: tuple[str, ...] = ()
    tried_runbooks: tuple[str, ...] = ()
    observations: Observations | None = None


ObservationLoader = Callable[[str], Awaitable[Observations | None]]


@dataclass
class StageContext:
    """What the engine tells a stage besides the incident: the round, and what came back from the
    wait it asked for (``reply`` None: the stage's first run of this round).

    ``observations()`` loads the round's observations by reference (once per process and
    reference); it returns None before the gather stage ran.
    """

    round: Round = field(default_factory=Round)
    reply: Reply | None = None
    loader: ObservationLoader | None = None

    async def observations(self) -> Observations | None:
        """The round's observations, loaded by reference; None before gather ran or without a
        loader.
        """
        if self.round.observations is None or self.loader is None:
            return None
        return await self.loader(self.round.observations)


class Stage(Protocol):
    """One stage of the incident pipeline.

    ``run`` may raise: the engine records the failure on the incident and skips to the stages that
    always run. It must be safe to run again after a crash (DBOS runs an interrupted stage again):
    what it writes replaces what an earlier attempt wrote, and writes to the outside world go
    through idempotency keys.
    """

    name: StageName

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Do the stage's work on ``incident`` and say what comes next (a ``StageResult``)."""
