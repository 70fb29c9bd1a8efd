"""Merge the LLM's diagnosis with the deterministic one; say which engine decided.

The LLM's hypothesis is added beside the deterministic ones. It decides only when its finding was
accepted (evidence references to real, successful tool calls of this incident; a grounded claim),
its confidence is above the deterministic leader's and the threshold, and its root cause was not
already tried and failed in an earlier round. Otherwise the deterministic diagnosis stands, and
the LLM's view is one more line in the explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nightowl.agent.schema import LlmDiagnosis
from nightowl.domain import Diagnosis, Hypothesis, HypothesisStatus, RootCause

DETERMINISTIC, LLM = "deterministic", "llm"


@dataclass(frozen=True)
class Merged:
    """The diagnosis that stands after merging, which engine decided it (``deterministic`` or
    ``llm``), and the LLM's hypothesis when it was accepted.
    """

    diagnosis: Diagnosis
    engine: str
    hypothesis: Hypothesis | None
    """The LLM's hypothesis, to keep beside the deterministic ones (None: nothing accepted)."""


def merge(
    deterministic: Diagnosis,
    proposal: LlmDiagnosis | None,
    *,
    accepted: bool,
    min_confidence: float,
    tried: Sequence[str],
    label: str,
) -> Merged:
    """``label`` names the agent in the explanation (``LLM agent v1 (gpt-4o)``)."""
    claim = proposal.root_cause if proposal else None
    if proposal is None or claim is None or not accepted:
        return Merged(
            _note(deterministic, f"The {label} gave no accepted diagnosis."), DETERMINISTIC, None
        )
    hypothesis = Hypothesis(
        kind=claim.kind,
        service=claim.service,
        confidence=round(proposal.confidence, 3),
        status=_status(proposal.confidence, min_confidence),
        summary=f"{claim.summary} ({label}; evidence {', '.join(proposal.evidence)})",
        supporting=tuple(proposal.evidence),
        deploy=claim.deploy,
    )
    leader = deterministic.confidence if deterministic.root_cause else 0.0
    repeat = f"{claim.kind}:{claim.service}" in tried
    wins = proposal.confidence > leader and proposal.confidence >= min_confidence and not repeat
    ranked = tuple(sorted([*deterministic.hypotheses, hypothesis], key=lambda h: -h.confidence))
    if not wins:
        why = (
            "already tried"
            if repeat
            else "below the confidence threshold"
            if proposal.confidence < min_confidence
            else "not more confident than the deterministic analysis"
        )
        line = f"The {label} proposed {claim.kind} on {claim.service} ({proposal.confidence:.2f}), {why}."
        kept = deterministic.model_copy(update={"hypotheses": ranked})
        return Merged(_note(kept, line), DETERMINISTIC, hypothesis)
    lines = [
        f"{claim.kind} on {claim.service} ({proposal.confidence:.2f}, decided by the {label}): "
        f"{claim.summary} Evidence: {', '.join(proposal.evidence)}. Risk {proposal.risk}; "
        f"rollback: {proposal.rollback_plan or 'not given'}."
    ]
    lines += [
        f"Not {h.kind} on {h.service} ({h.confidence:.2f}): {h.summary}."
        for h in ranked
        if h is not hypothesis
    ]
    lines += _proposals(proposal)
    diagnosis = Diagnosis(
        root_cause=RootCause(
            kind=claim.kind, service=claim.service, deploy=claim.deploy, summary=claim.summary
        ),
        confidence=hypothesis.confidence,
        explanation="\n".join(lines),
        hypotheses=ranked,
        decided_at=deterministic.decided_at,
    )
    return Merged(diagnosis, LLM, hypothesis)


def _note(diagnosis: Diagnosis, line: str) -> Diagnosis:
    text = f"{diagnosis.explanation}\nDecided by the deterministic analysis. {line}"
    return diagnosis.model_copy(update={"explanation": text})


def _proposals(proposal: LlmDiagnosis) -> list[str]:
    return [
        f"Proposed (not executed; runbooks and policy decide): {a.kind} {a.service}: {a.reason}"
        for a in proposal.proposed_actions
    ]


def _status(confidence: float, threshold: float) -> HypothesisStatus:
    if confidence >= threshold:
        return HypothesisStatus.SUPPORTED
    return HypothesisStatus.WEAK if confidence >= 0.2 else HypothesisStatus.REFUTED
