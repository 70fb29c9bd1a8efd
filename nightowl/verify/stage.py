"""The verify stage: after a write, did the service recover? If not, undo and try another cause.

It waits for the runbook's window (settle, then watch; the settings' defaults otherwise), re-reads
the symptoms that made this an incident and compares them with their baselines. Not recovered: the
executed actions are rolled back from their pre-state, the runbooks' own undo steps run, and — while
rounds remain (``verify.max_cycles``) — the engine diagnoses again without the cause it tried
(``Next.REDIAGNOSE``).

A model's drift (evidence a ``model_drift`` watcher found, with no metric symptom beside it) is
not judged on metrics: no signal shows a distribution, and undoing an approved rollback (or retraining) because
nothing could be read would put the drifted version back. The watcher's next run re-checks it
(its finding is marked fixed when the drift is gone); the stage records that, keeps the write,
and leaves the incident to a human (escalated).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from nightowl.clock import Clock
from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import (
    ActionResult,
    ActionStatus,
    EvidenceKind,
    Incident,
    IncidentStatus,
    Next,
    StageContext,
    StageName,
    StageResult,
    Verification,
)
from nightowl.domain.ports import Remedies, RunbookFacts
from nightowl.settings import VerifySettings
from nightowl.store import IncidentStore
from nightowl.store.audit import AuditLog
from nightowl.verify.recovery import judge, symptoms
from nightowl.verify.signals import read_signals


class Verify:
    """The verify stage; see the module docstring."""

    name = StageName.VERIFY

    def __init__(
        self,
        settings: VerifySettings,
        step_seconds: int,
        *,
        metrics: Sequence[MetricsSource],
        runbooks: RunbookFacts,
        remedies: Remedies,
        store: IncidentStore,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self.settings, self.step_seconds, self.metrics = settings, step_seconds, list(metrics)
        self.runbooks, self.remedies = runbooks, remedies
        self.store, self.audit, self.clock = store, audit, clock

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Judge the round's real writes: when the symptoms did not recover, undo them and, while
        ``max_cycles`` allows, diagnose again without the cause and runbooks just tried. Nothing
        to verify when nothing was written.
        """
        executed = [
            a for a in incident.actions if a.status is ActionStatus.SUCCEEDED and not a.dry_run
        ]
        if not executed:
            return StageResult(summary="no action executed: nothing to verify")
        planned = {a.runbook for a in incident.plan}
        if only_drift(incident, executed):
            return self._left_to_the_watcher(incident)
        verdict = await self._judge(incident, executed, planned)
        result = StageResult(summary=verdict.summary)
        if not verdict.recovered:
            undone = await self._undo(incident, executed, planned)
            verdict = verdict.model_copy(
                update={"rolled_back": True, "summary": f"{verdict.summary}; {undone}"}
            )
            result = self._next_round(ctx, incident, planned, verdict.summary)
        self.store.save_verification(incident.id, verdict)
        self.audit.append(
            incident.id,
            "verification",
            {"verification": verdict.model_dump(mode="json")},
            actor="nightowl",
            at=self.clock.now(),
        )
        self.store.set_status(
            incident.id,
            IncidentStatus.RESOLVED if verdict.recovered else IncidentStatus.ESCALATED,
        )
        return result

    def _left_to_the_watcher(self, incident: Incident) -> StageResult:
        now = self.clock.now()
        verdict = Verification(
            recovered=False,
            checked_at=now,
            window_start=now,
            window_end=now,
            checks=(),
            summary="a model's drift is re-checked by its watcher's next run (the finding is "
            "marked fixed when the drift is gone), not by metrics: the write stays",
            deferred=True,
        )
        self.store.save_verification(incident.id, verdict)
        self.audit.append(
            incident.id,
            "verification",
            {"verification": verdict.model_dump(mode="json")},
            actor="nightowl",
            at=now,
        )
        self.store.set_status(incident.id, IncidentStatus.ESCALATED)
        return StageResult(summary=verdict.summary)

    async def _judge(
        self, incident: Incident, executed: list[ActionResult], planned: set[str]
    ) -> Verification:
        """Wait out the window, then compare the symptoms with their baselines."""
        window = self.runbooks.recovery_window(incident, planned)
        settle = window.settle_seconds if window else self.settings.settle_seconds
        length = window.window_seconds if window else self.settings.window_seconds
        start = max(a.finished_at for a in executed) + timedelta(seconds=settle)
        end = start + timedelta(seconds=length)
        if (wait := (end - self.clock.now()).total_seconds()) > 0:
            await self.clock.sleep(wait)
        services = sorted(
            {a.service for a in executed} | ({incident.service} if incident.service else set())
        )
        after = await read_signals(self.metrics, services, start, end, self.step_seconds)
        return judge(
            symptoms(incident.evidence, services),
            after,
            self.settings.tolerance,
            (start, end),
            self.clock.now(),
        )

    async def _undo(
        self, incident: Incident, executed: list[ActionResult], planned: set[str]
    ) -> str:
        """Roll the actions back, then run the runbooks' own undo steps (never twice)."""
        notes = await self.remedies.roll_back(incident.id, executed)
        for step in self.runbooks.undo_steps(incident, planned):
            if self.store.find_action(step.idempotency_key) is None:
                notes.append((await self.remedies.perform(incident.id, step))[0])
        return "; ".join(notes)

    def _next_round(
        self, ctx: StageContext, incident: Incident, planned: set[str], summary: str
    ) -> StageResult:
        cause = incident.diagnosis.root_cause if incident.diagnosis else None
        tried = (f"{cause.kind}:{cause.service}",) if cause else ()
        if ctx.round.cycle + 1 < self.settings.max_cycles:
            return StageResult(
                summary=summary + " — diagnosing again",
                next=Next.REDIAGNOSE,
                tried=tried,
                tried_runbooks=tuple(sorted(planned)),
            )
        return StageResult(summary=summary)


def only_drift(incident: Incident, executed: Sequence[ActionResult]) -> bool:
    """Whether the incident is a model's drift with no metric symptom to re-check."""
    services = sorted(
        {a.service for a in executed} | ({incident.service} if incident.service else set())
    )
    drift = any(e.kind is EvidenceKind.MODEL_DRIFT for e in incident.evidence)
    return drift and not symptoms(incident.evidence, services)
