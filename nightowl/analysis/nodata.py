"""An incident gathered on no data: its hypotheses are untested, and the diagnosis says why.

Scoring a hypothesis against zero data points gives it a low confidence, which reads as
``refuted`` — a claim the evidence ruled it out, when there was no evidence. When the round
gathered no metric series, no log line, no pod and no cluster event, every hypothesis is
``untested`` instead, no root cause is named, and the explanation (whose first line the incident
page, the report and the notifications show) says whether no data source is configured at all
or the configured ones returned nothing. The LLM's second opinion is not asked: it would read the
same empty sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nightowl.domain import Diagnosis, Hypothesis, HypothesisStatus, Observations
from nightowl.domain.diagnosis import NO_DATA, NO_SOURCES

READ_KINDS = ("metrics", "logs", "cluster")
"""The kinds of source whose data can show a symptom (deploys alone cannot)."""


def gathered_nothing(obs: Observations | None) -> bool:
    """Whether the round has no data a hypothesis could be tested on."""
    if obs is None:
        return True
    points = any(s.values for by_signal in obs.signals.values() for s in by_signal.values())
    return not (points or obs.logs or obs.pods or obs.events)


def no_sources(obs: Observations | None) -> bool:
    """Whether no metrics, logs or cluster source is configured at all (looking again cannot
    help)."""
    return obs is None or all(obs.sources.get(k, "none") == "none" for k in READ_KINDS)


def untested(
    hypotheses: Sequence[Hypothesis], obs: Observations | None, at: datetime
) -> tuple[list[Hypothesis], Diagnosis]:
    """The hypotheses marked untested, and the diagnosis that names no root cause and why."""
    # The scored summary ("memory shows no steady climb") and what counted against a hypothesis
    # were read off zero data points: claims the absence of data cannot back.
    why = "no data source is configured" if no_sources(obs) else "the data sources returned nothing"
    marked = [
        h.model_copy(
            update={
                "status": HypothesisStatus.UNTESTED,
                "confidence": 0.0,
                "summary": f"{h.kind.replace('_', ' ')} on {h.service}: not tested ({why})",
                "refuting": (),
            }
        )
        for h in hypotheses
    ]
    return marked, Diagnosis(
        root_cause=None,
        confidence=0.0,
        explanation=_why(obs, len(marked)),
        hypotheses=tuple(marked),
        decided_at=at,
    )


def _why(obs: Observations | None, count: int) -> str:
    tested = f"none of the {count} hypotheses could be tested (untested, not refuted)"
    if no_sources(obs):
        return (
            f"{NO_SOURCES}: nightowl has no metrics, logs or cluster connector, so "
            f"nothing was gathered and {tested}; a human should look.\n"
            "Configure connectors with `nightowl init` or in nightowl.yaml (docs/configuration.md)."
        )
    assert obs is not None
    names = ", ".join(f"{k}: {obs.sources.get(k, 'none')}" for k in READ_KINDS)
    scope = ", ".join(obs.services) or "the alert's services"
    lines = [
        f"{NO_DATA}: the data sources ({names}) returned nothing for {scope} in the "
        f"window, so {tested}; a human should look."
    ]
    lines += [f"Unavailable: {u.source} ({u.what}): {u.reason}" for u in obs.unavailable]
    return "\n".join(lines)
