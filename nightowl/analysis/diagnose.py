"""Diagnose: pick the root cause among the hypotheses and explain why the others lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nightowl.domain import Diagnosis, Hypothesis, HypothesisStatus, RootCause


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
