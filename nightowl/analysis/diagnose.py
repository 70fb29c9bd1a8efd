"""Diagnose: search the hypotheses (asking for more evidence), pick the root cause, explain.

``investigate`` runs the hypothesis tree: hypothesise, fetch the evidence the leaders name, rescore,
stop at a confident leader or an empty budget. ``diagnose`` picks the winner and says why each
runner-up lost; ``rank_root_causes`` wires in the topology-aware service ranking — the same
``rank_incident`` the benchmarks score, against the history of normal operation the gather stage
read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nightowl.analysis.hypotheses import SYMPTOMS, Context, hypothesise
from nightowl.analysis.rca import rank_incident
from nightowl.analysis.taxonomy import ProbeBudget, plan_probes, run_probes
from nightowl.connectors.protocols import LogSource
from nightowl.domain import (
    Diagnosis,
    Evidence,
    EvidenceKind,
    Hypothesis,
    HypothesisStatus,
    Observations,
    RootCause,
)
from nightowl.settings import AnalysisSettings
from nightowl.telemetry import span
from nightowl.telemetry.spans import AttrValue


def diagnose(hypotheses: Sequence[Hypothesis], min_confidence: float, at: datetime) -> Diagnosis:
    ranked = sorted(hypotheses, key=lambda h: -h.confidence)
    if not ranked or ranked[0].confidence < min_confidence:
        best = (
            f" (best: {ranked[0].kind} on {ranked[0].service} at {ranked[0].confidence:.2f})"
            if ranked
            else ""
        )
        return Diagnosis(
            root_cause=None,
            confidence=ranked[0].confidence if ranked else 0.0,
            explanation=f"No hypothesis reached the confidence threshold {min_confidence:.2f}{best}; "
            "a human should look.",
            hypotheses=tuple(ranked),
            decided_at=at,
        )
    winner = ranked[0]
    lines = [f"{winner.kind} on {winner.service} ({winner.confidence:.2f}): {winner.summary}."]
    for loser in ranked[1:]:
        why = "refuted" if loser.status is HypothesisStatus.REFUTED else "less supported"
        lines.append(
            f"Not {loser.kind} on {loser.service} ({loser.confidence:.2f}, {why}): {loser.summary}."
        )
    return Diagnosis(
        root_cause=RootCause(
            kind=winner.kind, service=winner.service, deploy=winner.deploy, summary=winner.summary
        ),
        confidence=winner.confidence,
        explanation="\n".join(lines),
        hypotheses=tuple(ranked),
        decided_at=at,
    )


def rank_root_causes(obs: Observations | None, evidence: Sequence[Evidence]) -> dict[str, int]:
    """Service → place in the topology-aware root-cause ranking (1 is likeliest).

    The fault time is the earliest error or latency rise in scope (the ranking compares each
    signal before and after it, and against its normal level where ``obs.history`` has one);
    without one, the ranking is skipped.
    """
    if obs is None or not obs.signals:
        return {}
    onsets = [
        e.onset
        for e in evidence
        if e.kind is EvidenceKind.METRIC_CHANGE
        and e.signal in SYMPTOMS
        and e.rising
        and e.onset is not None
    ]
    if not onsets:
        return {}
    verdict = rank_incident(obs, min(onsets))
    return {r.service: r.rank for r in verdict.ranked if r.service in obs.services}


@dataclass
class Investigation:
    """The result of the hypothesis search: the final ranking and what it cost."""

    hypotheses: list[Hypothesis]
    evidence: list[Evidence]
    queries: int = 0
    rounds: int = 0
    stopped: str = ""


def _ranking(leaders: Sequence[Hypothesis]) -> dict[str, AttrValue | None]:
    """The leading hypotheses and their confidences, as a round's span attributes."""
    return {
        "nightowl.hypotheses": [f"{h.kind}:{h.service}" for h in leaders],
        "nightowl.hypotheses.confidences": [round(h.confidence, 3) for h in leaders],
    }


async def investigate(
    evidence: Sequence[Evidence],
    obs: Observations | None,
    settings: AnalysisSettings,
    logs: Sequence[LogSource],
    context: Context,
    budget: ProbeBudget | None = None,
) -> Investigation:
    """Hypothesise, then fetch the evidence that would settle the leaders, until one clears the
    threshold (``min_confidence`` + 0.3) or the query/time budget is spent. Never raises for a
    failing log source: a failed search simply finds nothing."""
    budget = budget or ProbeBudget()
    found = list(evidence)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget.seconds
    focus = obs.service if obs else None
    result = Investigation(hypotheses=hypothesise(found, settings, focus, context), evidence=found)
    done: set[tuple[str, str]] = set()
    threshold = min(0.95, settings.min_confidence + 0.3)
    while True:
        leaders = list(result.hypotheses[: budget.leaders])
        with span(f"hypothesis round {result.rounds + 1}", _ranking(leaders)) as traced:
            if leaders and leaders[0].confidence >= threshold:
                result.stopped = f"leader at {leaders[0].confidence:.2f} ≥ {threshold:.2f}"
                traced.set("nightowl.hypotheses.stopped", result.stopped)
                break
            left = deadline - loop.time()
            spare = budget.queries - result.queries
            probes = plan_probes(leaders, context.taxonomy, context.topology, done)
            probes = probes[: max(0, spare // max(1, len(logs)))]
            if obs is None or not logs or not probes or left <= 0 or result.rounds >= budget.rounds:
                result.stopped = "budget spent" if probes else "nothing left to ask"
                traced.set("nightowl.hypotheses.stopped", result.stopped)
                break
            traced.set("nightowl.hypotheses.asked", [f"{p.service}: {p.text}" for p in probes])
            new, spent = await run_probes(probes, logs, obs.start, obs.end, left)
        result.queries += spent
        result.rounds += 1
        known = {e.id for e in found}
        found += [e for e in new if e.id not in known]
        result.hypotheses = hypothesise(found, settings, focus, context)
    result.evidence = found
    return result
