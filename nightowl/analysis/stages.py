"""The analysis stages: triage the alerts, turn observations into evidence, diagnose.

``Triage`` classifies category, severity and service from the alerts. ``Analyze`` turns the round's
observations into cited evidence. ``Diagnose`` runs the hypothesis search (asking the log sources
for what would settle the leaders), picks the root cause above the threshold, lets the LLM layer
give its opinion when one is configured, shows similar past incidents and uses them as a prior
behind gates (``recall.py``), and — when no cause is clear yet and looks remain — asks
the engine to gather again (``Next.LOOK_AGAIN``): an alert can fire before its cause shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.analysis.diagnose import diagnose, investigate, rank_root_causes
from nightowl.analysis.drift import FindingReader, drift_evidence
from nightowl.analysis.evidence import analyze
from nightowl.analysis.hypotheses import Context
from nightowl.analysis.nodata import gathered_nothing, no_sources, untested
from nightowl.analysis.recall import apply, carry, recall
from nightowl.analysis.taxonomy import Taxonomy
from nightowl.analysis.triage import triage
from nightowl.clock import Clock
from nightowl.connectors.protocols import LogSource
from nightowl.domain import (
    Diagnosis,
    EvidenceKind,
    Hypothesis,
    Incident,
    IncidentStatus,
    Next,
    Observations,
    StageContext,
    StageName,
    StageResult,
)
from nightowl.domain.memory import signature_of
from nightowl.domain.ports import SecondOpinion
from nightowl.settings import AnalysisSettings, MemorySettings
from nightowl.store import IncidentStore
from nightowl.store.memory import MemoryStore


class Triage:
    """The triage stage: category, severity and service; the incident is now being investigated."""

    name = StageName.TRIAGE

    def __init__(self, store: IncidentStore) -> None:
        self.store = store

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        result = triage(incident.alerts)
        self.store.save_triage(incident.id, result)
        self.store.set_status(incident.id, IncidentStatus.INVESTIGATING)
        return StageResult(
            summary=f"{result.category.value}, {result.severity.value}, service {result.service or 'unknown'}"
        )


class Analyze:
    """The analyze stage: every piece of evidence in the round's observations, with its citation,
    and the findings behind the incident's watcher alerts (``drift.py``) as their watcher found
    them."""

    name = StageName.ANALYZE

    def __init__(
        self, taxonomy: Taxonomy, store: IncidentStore, findings: FindingReader | None = None
    ) -> None:
        self.taxonomy, self.store, self.findings = taxonomy, store, findings

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        obs = await ctx.observations()
        evidence = analyze(obs, self.taxonomy) if obs else []
        evidence += drift_evidence(incident.alerts, self.findings)
        self.store.save_evidence(incident.id, evidence)
        kinds = sorted({e.kind.value for e in evidence})
        return StageResult(
            summary=f"{len(evidence)} pieces of evidence ({', '.join(kinds) or 'none'})"
        )


class Diagnose:
    """The diagnose stage; see the module docstring."""

    name = StageName.DIAGNOSE

    def __init__(
        self,
        settings: AnalysisSettings,
        taxonomy: Taxonomy,
        *,
        logs: Sequence[LogSource],
        opinion: SecondOpinion | None,
        store: IncidentStore,
        clock: Clock,
        memory: MemoryStore | None = None,
        memory_settings: MemorySettings | None = None,
    ) -> None:
        self.settings, self.taxonomy, self.logs, self.opinion = settings, taxonomy, logs, opinion
        self.store, self.clock = store, clock
        self.memory, self.memory_settings = memory, memory_settings or MemorySettings()

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        obs = await ctx.observations()
        context = Context(
            topology=obs.topology if obs else {},
            ranks=rank_root_causes(obs, incident.evidence),
            taxonomy=self.taxonomy,
        )
        search = await investigate(incident.evidence, obs, self.settings, self.logs, context)
        if gathered_nothing(obs) and not found_by_a_watcher(incident):
            return self._untested(ctx, incident, search.hypotheses, obs)
        hypotheses = search.hypotheses
        if len(search.evidence) > len(incident.evidence):
            self.store.save_evidence(incident.id, search.evidence)
            incident = incident.model_copy(update={"evidence": tuple(search.evidence)})
        self.store.save_hypotheses(incident.id, hypotheses)
        untried = [h for h in hypotheses if f"{h.kind}:{h.service}" not in ctx.round.tried]
        diagnosis = diagnose(untried, self.settings.min_confidence, self.clock.now())
        diagnosis = self._recall(incident, diagnosis, untried)
        diagnosis = await self._second_opinion(ctx, incident, diagnosis, hypotheses)
        rc = diagnosis.root_cause
        if rc is None and ctx.round.looks < self.settings.look_again:
            return StageResult(
                summary=f"no root cause above threshold yet ({len(hypotheses)} hypotheses); "
                f"gathering again in {self.settings.look_again_seconds:g}s "
                f"({ctx.round.looks + 1} of {self.settings.look_again})",
                next=Next.LOOK_AGAIN,
            )
        self.store.save_diagnosis(incident.id, diagnosis)
        if rc is None:
            return StageResult(
                summary=f"no root cause above threshold ({len(hypotheses)} hypotheses)"
            )
        return StageResult(
            summary=f"{rc.kind} on {rc.service} ({diagnosis.confidence:.0%}); {len(hypotheses)} "
            f"hypotheses tested, {search.queries} further queries ({search.stopped})"
        )

    def _untested(
        self,
        ctx: StageContext,
        incident: Incident,
        hypotheses: list[Hypothesis],
        obs: Observations | None,
    ) -> StageResult:
        """No data to test anything on: no root cause, every hypothesis untested; look again
        only when sources are configured (they may not have the data yet)."""
        marked, diagnosis = untested(hypotheses, obs, self.clock.now())
        self.store.save_hypotheses(incident.id, marked)
        if not no_sources(obs) and ctx.round.looks < self.settings.look_again:
            return StageResult(
                summary=f"no data gathered yet; gathering again in "
                f"{self.settings.look_again_seconds:g}s "
                f"({ctx.round.looks + 1} of {self.settings.look_again})",
                next=Next.LOOK_AGAIN,
            )
        self.store.save_diagnosis(incident.id, diagnosis)
        return StageResult(summary=diagnosis.explanation.splitlines()[0])

    def _recall(
        self, incident: Incident, diagnosis: Diagnosis, untried: list[Hypothesis]
    ) -> Diagnosis:
        """Similar past incidents, shown and — behind the gates of analysis/recall.py — used as a
        prior."""
        if self.memory is None or not self.memory_settings.enabled:
            return diagnosis
        matches = self.memory.similar(
            signature_of(incident),
            exclude=incident.id,
            limit=self.memory_settings.limit,
        )
        return apply(diagnosis, recall(matches, untried, self.memory_settings), untried)

    async def _second_opinion(
        self,
        ctx: StageContext,
        incident: Incident,
        diagnosis: Diagnosis,
        hypotheses: list[Hypothesis],
    ) -> Diagnosis:
        """The LLM's hypothesis joins ours; it may decide (see agent/merge.py)."""
        if self.opinion is None:
            return diagnosis
        merged = await self.opinion.diagnose(
            incident, diagnosis, cycle=ctx.round.cycle, tried=ctx.round.tried
        )
        if merged.hypothesis is not None:
            self.store.save_hypotheses(incident.id, [*hypotheses, merged.hypothesis])
        return carry(diagnosis, merged.diagnosis)


def found_by_a_watcher(incident: Incident) -> bool:
    """Whether the incident has evidence a watcher found (a model's drift): its hypotheses can
    be tested on that even when no metrics, logs or cluster source gathered anything."""
    return any(e.kind is EvidenceKind.MODEL_DRIFT for e in incident.evidence)
