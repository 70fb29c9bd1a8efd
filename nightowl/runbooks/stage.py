"""The plan stage: match a runbook to the root cause and turn its steps into actions.

Runbooks already tried on this incident (their remedy did not work) are skipped, so a second round
picks another. Facts a runbook may name (``$previous_version``, ``$service``, ...) are derived by
nightowl itself, never copied from alert text.
"""

from __future__ import annotations

from nightowl.domain import EvidenceKind, Incident, StageContext, StageName, StageResult
from nightowl.runbooks.book import Runbooks
from nightowl.runbooks.catalog import drift_facts, facts_of, match, plan, previous_version_of
from nightowl.store import IncidentStore


class Plan:
    """The plan stage; see the module docstring."""

    name = StageName.PLAN

    def __init__(self, runbooks: Runbooks, store: IncidentStore) -> None:
        self.runbooks, self.store = runbooks, store

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Match a runbook to the root cause (skipping the runbooks already tried this incident)
        and save its actions as the plan; an empty plan when there is no root cause or no runbook
        matches.
        """
        diagnosis = incident.diagnosis
        if diagnosis is None or diagnosis.root_cause is None:
            self.store.save_plan(incident.id, [])
            return StageResult(summary="nothing to plan without a root cause")
        book = match(
            list(self.runbooks),
            diagnosis,
            incident.category,
            labels=[a.labels for a in incident.alerts],
            texts=[e.summary for e in incident.evidence if e.kind is EvidenceKind.LOG_ERRORS],
            exclude=ctx.round.tried_runbooks,
        )
        if book is None:
            self.store.save_plan(incident.id, [])
            return StageResult(summary=f"no runbook matches {diagnosis.root_cause.kind}")
        previous = previous_version_of(incident)
        facts = facts_of(diagnosis, incident.id, previous, incident.category, incident.severity)
        facts |= drift_facts(incident.evidence)
        actions = plan(book, diagnosis, incident.id, previous, facts)
        self.store.save_plan(incident.id, actions)
        return StageResult(
            summary=f"runbook {book.name}: " + "; ".join(f"{a.kind} {a.service}" for a in actions)
        )
