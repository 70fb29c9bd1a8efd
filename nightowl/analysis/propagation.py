"""Propagation: a deploy on a service whose dependency was already failing did not cause the fault.

A fault spreads up the call graph: when a dependency breaks, its callers' errors and latency rise
with it. A caller that happened to deploy shortly before then looks like a bad deploy — its
symptoms did follow its deploy — and rolling it back is an unsafe action that fixes nothing. The
reading an SRE makes is about time and direction: if a service the deployed one depends on
(directly or down the chain) showed the symptoms first, before the deploy or before the deployed
service's own, the deploy is the victim's, not the cause. A callee whose request rate rose with it
is the exception: that is load the caller sends (a retry storm after a client deploy), so the
caller's deploy stays a suspect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from nightowl.domain import (
    Evidence,
    EvidenceKind,
    FaultKind,
    Hypothesis,
    HypothesisStatus,
    SignalKind,
)
from nightowl.domain.topology import Topology

SYMPTOMS = frozenset({SignalKind.ERROR_RATE.value, SignalKind.LATENCY_P99.value})
LOAD = SignalKind.REQUEST_RATE.value
SLACK = timedelta(minutes=1)
CAP = 0.3
"""The most a propagated deploy keeps: below the supported threshold, so it is never acted on."""
BEFORE_DEPLOY = 0.35
"""A callee failing before the deploy: as strong against it as its own symptoms preceding it."""
FIRST = 0.35
"""A callee whose symptoms began no later than the deployed service's own, without more load: the
deployed service's own symptoms, the only support of the deploy, are then its callee's."""


def _onsets(evidence: Iterable[Evidence], signals: frozenset[str]) -> dict[str, datetime]:
    """Service → earliest onset of a rising change in one of ``signals``."""
    out: dict[str, datetime] = {}
    for e in evidence:
        if (
            e.kind is EvidenceKind.METRIC_CHANGE
            and e.service
            and e.signal in signals
            and e.rising
            and e.onset is not None
        ):
            out[e.service] = min(e.onset, out.get(e.service, e.onset))
    return out


def discount_propagation(
    found: Sequence[Hypothesis],
    evidence: Sequence[Evidence],
    topology: Mapping[str, Sequence[str]],
) -> list[Hypothesis]:
    """``found`` with every bad-deploy hypothesis weakened when a dependency of its service showed
    the symptoms first; the others unchanged. Says why in the summary and cites the callee."""
    if not topology:
        return list(found)
    graph = Topology(topology)
    symptoms, load = _onsets(evidence, SYMPTOMS), _onsets(evidence, frozenset({LOAD}))
    deploys = {e.id: e for e in evidence if e.kind is EvidenceKind.DEPLOY}
    out = []
    for h in found:
        at = _deploy_time(h, deploys.values())
        if h.kind != FaultKind.BAD_DEPLOY.value or at is None:
            out.append(h)
            continue
        own = symptoms.get(h.service)
        callees = sorted((symptoms[c], c) for c in graph.downstream(h.service) if c in symptoms)
        worst, why = 0.0, ""
        if callees and callees[0][0] < at - SLACK:
            worst, why = BEFORE_DEPLOY, f"{callees[0][1]} was failing before it"
        elif own is not None:
            first = [c for onset, c in callees if onset <= own and c not in load]
            if first:
                worst, why = FIRST, f"{first[0]} showed the symptoms first"
        out.append(_weakened(h, worst, why) if worst else h)
    return out


def _deploy_time(h: Hypothesis, deploys: Iterable[Evidence]) -> datetime | None:
    for e in deploys:
        if e.id in h.supporting and e.service == h.service and e.onset is not None:
            return e.onset
    return None


def _weakened(h: Hypothesis, by: float, why: str) -> Hypothesis:
    """What is left of a deploy whose symptoms are its callee's: a deploy with no symptom of its
    own, at most weak (kept for a human to read, never acted on)."""
    confidence = round(max(0.02, min(h.confidence - by, CAP)), 3)
    return h.model_copy(
        update={
            "confidence": confidence,
            "status": HypothesisStatus.of(confidence),
            "summary": f"{h.summary}; but {why}: propagation, not the deploy",
        }
    )
