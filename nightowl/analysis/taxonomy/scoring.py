"""Scoring a signature against a service's features: a hypothesis with its evidence for and against.

The confidence is the kind's prior plus the weights of its present features (negative weights
refute), nudged by the topology-aware service ranking (the likeliest root-cause service gains,
a service ranked below others loses a little), clipped to [0.02, 0.97].
"""

from __future__ import annotations

from collections.abc import Mapping

from nightowl.analysis.taxonomy.features import Features
from nightowl.analysis.taxonomy.model import Signature
from nightowl.domain import Evidence, Hypothesis, HypothesisStatus

SUPPORTED, WEAK = 0.5, 0.2
RANK_BONUS = {1: 0.12, 2: 0.04, 3: 0.0}
UNRANKED = -0.06


def status_of(confidence: float) -> HypothesisStatus:
    if confidence >= SUPPORTED:
        return HypothesisStatus.SUPPORTED
    return HypothesisStatus.WEAK if confidence >= WEAK else HypothesisStatus.REFUTED


def rank_bonus(service: str, ranks: Mapping[str, int]) -> float:
    """What the service's place in the root-cause ranking adds to a hypothesis about it."""
    if not ranks:
        return 0.0
    return RANK_BONUS.get(ranks.get(service, 99), UNRANKED)


def score_signature(
    signature: Signature, service: str, features: Features, ranks: Mapping[str, int]
) -> Hypothesis | None:
    """The hypothesis ``signature`` on ``service``, or None when none of its required features shows."""
    if not any(f in features for f in signature.requires):
        return None
    score = signature.prior + rank_bonus(service, ranks)
    supporting: list[Evidence] = []
    refuting: list[Evidence] = []
    seen: list[str] = []
    against: list[str] = []
    for feature, weight in signature.features.items():
        found = features.get(feature)
        if not found:
            continue
        score += weight
        (supporting if weight > 0 else refuting).extend(found)
        (seen if weight > 0 else against).append(feature)
    confidence = round(min(0.97, max(0.02, score)), 3)
    summary = f"{service}: {signature.description} Seen: {', '.join(seen) or 'nothing'}"
    if against:
        summary += f"; against it: {', '.join(against)}"
    place = ranks.get(service)
    if place:
        summary += f"; ranked #{place} as root-cause service"
    return Hypothesis(
        kind=signature.kind,
        service=service,
        confidence=confidence,
        status=status_of(confidence),
        summary=summary,
        supporting=_ids(supporting),
        refuting=_ids(refuting),
        deploy=_deploy_version(features),
    )


def _ids(evidence: list[Evidence]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.id for e in evidence))


def _deploy_version(features: Features) -> str | None:
    deploys = features.get("deploy", [])
    change = deploys[-1].change if deploys else None
    return change.version if change else None
