"""What stages hand each other and the engine: the carry, a stage's outcome, a request to wait."""

from __future__ import annotations

from nightowl.domain import Observations
from nightowl.domain.base import Model


class Carry(Model):
    """Passed from stage to stage through the engine (and recorded by DBOS with each step).

    ``cycle`` counts diagnose → act → verify rounds; ``tried``/``tried_runbooks`` are the root causes
    ("kind:service") and runbooks whose remedy did not work, so the next round picks another.
    ``rediagnose`` is verify's request for another round; ``look_again`` is diagnosis's request to
    gather again (no root cause reached the threshold yet; ``looks`` counts them); ``waited``/
    ``reply`` tell a stage that asked to wait what came back (``reply`` None: the wait timed out).
    """

    observations: Observations | None = None
    cycle: int = 0
    tried: tuple[str, ...] = ()
    tried_runbooks: tuple[str, ...] = ()
    rediagnose: bool = False
    look_again: bool = False
    looks: int = 0
    waited: bool = False
    reply: str | None = None


class Wait(Model):
    """A stage's request: wait (durably) for a message on ``topic``, then run the stage again."""

    topic: str
    timeout_seconds: float


class Outcome(Model):
    summary: str
    carry: Carry = Carry()
    failed: bool = False
    wait: Wait | None = None
