"""The act stage: perform the actions the gate allowed, in the plan's order, each at most once.

A step the store already holds a result for is not performed again (a retried stage never acts
twice). When an action fails or is halted by the kill switch, the rest of the plan does not run,
and its decisions say so ("stopped before the write").
"""

from __future__ import annotations

from nightowl.actions.executor import Executor
from nightowl.clock import Clock
from nightowl.domain import (
    ActionSpec,
    Decision,
    Incident,
    StageContext,
    StageName,
    StageResult,
    Verdict,
)
from nightowl.store import IncidentStore


class Act:
    """The act stage; see the module docstring."""

    name = StageName.ACT

    def __init__(self, executor: Executor, store: IncidentStore, clock: Clock) -> None:
        self.executor, self.store, self.clock = executor, store, clock

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Perform the allowed actions of the plan in order: waits are slept, an action already
        recorded under its key is not done again, and when the executor says stop (no driver for
        it, the kill switch) the rest is recorded on its decisions as not run.
        """
        allowed = {d.idempotency_key for d in incident.decisions if d.verdict is Verdict.ALLOW}
        done: list[str] = []
        for action in incident.plan:
            if action.idempotency_key not in allowed:
                continue
            if action.kind == "wait":
                await self.clock.sleep(float(action.params.get("seconds") or 0))
                done.append(f"waited {action.params.get('seconds')}s")
                continue
            previous = self.store.find_action(action.idempotency_key)
            if previous is not None:  # a retried step never acts twice
                done.append(f"{action.kind}: already {previous.status.value}")
                continue
            line, stop = await self.executor.perform(incident.id, action)
            done.append(line)
            if stop:
                self._halt_rest(incident, action, line)
                break
        return StageResult(summary="; ".join(done) or "nothing executed")

    def _halt_rest(self, incident: Incident, stopped: ActionSpec, why: str) -> None:
        """Record on the decisions that the stopped action and every later one did not run."""
        keys = [a.idempotency_key for a in incident.plan]
        later = set(keys[keys.index(stopped.idempotency_key) :])
        updated: list[Decision] = []
        for d in incident.decisions:
            if d.idempotency_key in later and d.verdict is Verdict.ALLOW:
                d = d.model_copy(
                    update={
                        "verdict": Verdict.DENY,
                        "reasons": (*d.reasons, f"stopped before the write: {why}"),
                        "rules": (*d.rules, "act.stopped"),
                        "decided_at": self.clock.now(),
                    }
                )
            updated.append(d)
        self.store.save_decisions(incident.id, updated)
