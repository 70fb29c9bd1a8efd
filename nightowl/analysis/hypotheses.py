"""Diagnose: candidate explanations scored against the evidence.

Each rule proposes hypotheses of one fault kind and cites the evidence for and against each. A
hypothesis explained away by a better one says so (a memory climb that began with a deploy is the
deploy's fault: rolling back fixes it, restarting only postpones it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nightowl.analysis import drift
from nightowl.analysis.propagation import discount_propagation
from nightowl.analysis.taxonomy import Taxonomy, builtin_taxonomy, score_signature, service_features
from nightowl.analysis.taxonomy.features import is_config
from nightowl.domain import (
    Evidence,
    EvidenceKind,
    FaultKind,
    Hypothesis,
    HypothesisStatus,
    SignalKind,
)
from nightowl.domain.diagnosis import SUPPORTED_FROM
from nightowl.settings import AnalysisSettings

SUPPORTED = SUPPORTED_FROM
SYMPTOMS = (SignalKind.ERROR_RATE.value, SignalKind.LATENCY_P99.value)
LEAD = timedelta(minutes=1)
"""How long before a deploy's recorded time a symptom still counts as following it: a deploy is
recorded when the pipeline reports it, after the new version took traffic, and a change's onset
is only as precise as the metric's rate window."""


class EvidenceIndex:
    def __init__(self, evidence: Iterable[Evidence]) -> None:
        self.items = list(evidence)

    def find(
        self, kind: EvidenceKind, service: str | None = None, signal: str | None = None
    ) -> list[Evidence]:
        """Evidence of ``kind`` (configuration changes are not deploys here)."""
        return [
            e
            for e in self.items
            if e.kind is kind
            and not is_config(e)
            and (service is None or e.service == service)
            and (signal is None or e.signal == signal)
        ]

    def rises(self, service: str, signals: Iterable[str]) -> list[Evidence]:
        wanted = set(signals)
        return [
            e
            for e in self.find(EvidenceKind.METRIC_CHANGE, service)
            if e.signal in wanted and e.rising
        ]


def _version(e: Evidence) -> str:
    return e.change.version if e.change else ""


Rule = Callable[[EvidenceIndex, AnalysisSettings, str | None], list[Hypothesis]]


def _status(confidence: float) -> HypothesisStatus:
    return HypothesisStatus.of(confidence)


def _make(
    kind: FaultKind,
    service: str,
    score: float,
    summary: str,
    supporting: list[Evidence],
    refuting: list[Evidence],
    deploy: str | None = None,
) -> Hypothesis:
    confidence = round(min(0.97, max(0.02, score)), 3)
    return Hypothesis(
        kind=kind.value,
        service=service,
        confidence=confidence,
        status=_status(confidence),
        summary=summary,
        supporting=tuple(e.id for e in supporting),
        refuting=tuple(e.id for e in refuting),
        deploy=deploy,
    )


def _onset(e: Evidence) -> datetime:
    assert e.onset is not None
    return e.onset


def bad_deploy(
    index: EvidenceIndex, settings: AnalysisSettings, focus: str | None
) -> list[Hypothesis]:
    out = []
    window = timedelta(minutes=settings.deploy_window_minutes)
    onsets = [_onset(e) for e in index.find(EvidenceKind.METRIC_CHANGE) if e.rising and e.onset]
    first = min(onsets, default=None)
    for deploy in index.find(EvidenceKind.DEPLOY):
        service, at = deploy.service or "", _onset(deploy)
        if first is not None and at < first - window and not _grew_since(index, service, at):
            continue  # history: read to date an older leak, not a suspect of its own
        if _superseded(index, deploy, first):
            continue  # replaced by a later deploy the symptoms followed: that one is the suspect
        symptoms = index.rises(service, SYMPTOMS)
        after = [e for e in symptoms if at - LEAD <= _onset(e) <= at + window]
        before = [e for e in symptoms if _onset(e) < at - LEAD]
        growth = [
            e
            for e in index.find(EvidenceKind.MONOTONIC_GROWTH, service)
            if _onset(e) >= at - timedelta(minutes=2)
        ]
        logs = [
            e for e in index.find(EvidenceKind.LOG_ERRORS, service) if e.onset and e.onset >= at
        ]
        traffic = [
            e
            for e in index.rises(service, [SignalKind.REQUEST_RATE.value])
            if (e.magnitude or 1) >= 1.5
        ]
        version = deploy.change.version if deploy.change else ""
        signals = {e.signal for e in after}
        score = (
            0.1
            + (0.4 if after else 0)
            + 0.2 * ("error_rate" in signals)
            + 0.12 * ("latency_p99" in signals)
        )
        score += 0.08 * bool(growth) + 0.07 * bool(logs) - 0.35 * bool(before) - 0.3 * bool(traffic)
        if after:
            lag = min(_onset(e) for e in after) - at
            summary = (
                f"{service} {version}, deployed at {at:%H:%M}, was followed {_minutes(lag)} later by "
                + ", ".join(sorted(str(s) for s in signals))
                + " rising"
            )
        else:
            summary = f"{service} {version} deployed at {at:%H:%M}, but no error or latency rise followed it"
        out.append(
            _make(
                FaultKind.BAD_DEPLOY,
                service,
                score,
                summary,
                [deploy, *after, *growth, *logs],
                [*before, *traffic],
                deploy=version,
            )
        )
    return out


def _superseded(index: EvidenceIndex, deploy: Evidence, first: datetime | None) -> bool:
    """Whether a later deploy of the same service replaced ``deploy`` and is itself followed by
    the first symptom (within ``LEAD``): a version rolled back and deployed again, or a new one
    on top. Whatever rose after the later deploy is the later one's to explain."""
    if first is None:
        return False
    at = _onset(deploy)
    return any(
        at < _onset(later) <= first + LEAD
        for later in index.find(EvidenceKind.DEPLOY, deploy.service or "")
        if later.id != deploy.id
    )


def _grew_since(index: EvidenceIndex, service: str, at: datetime) -> bool:
    growth = index.find(EvidenceKind.MONOTONIC_GROWTH, service)
    return any(_onset(e) >= at - timedelta(minutes=2) for e in growth)


def memory_leak(
    index: EvidenceIndex, settings: AnalysisSettings, focus: str | None
) -> list[Hypothesis]:
    out = []
    window = timedelta(minutes=settings.deploy_window_minutes)
    for growth in index.find(EvidenceKind.MONOTONIC_GROWTH, signal=SignalKind.MEMORY.value):
        service, start = growth.service or "", _onset(growth)
        symptoms = [e for e in index.rises(service, SYMPTOMS) if _onset(e) >= start]
        deploys = [
            d
            for d in index.find(EvidenceKind.DEPLOY, service)
            if start - window <= _onset(d) <= start + timedelta(minutes=2)
        ]
        # A deploy that began the climb: when the symptoms followed it within the deploy window,
        # the bad-deploy rule explains them better; when they came much later (a slow leak that
        # pages hours after the deploy), this is the leak the deploy brought, fixed by its rollback.
        quick = [e for e in symptoms if deploys and _onset(e) <= _onset(deploys[0]) + window]
        slow = bool(deploys and symptoms and not quick)
        score = 0.55 + 0.15 * bool(symptoms) - 0.4 * (bool(deploys) and not slow)
        summary = f"{service} memory climbs steadily since {start:%H:%M}"
        if deploys:
            summary += (
                f", but the climb began with deploy {_version(deploys[0])}: "
                "the leak came with the deploy, so a rollback fixes it and a restart only postpones it"
            )
        out.append(
            _make(
                FaultKind.MEMORY_LEAK,
                service,
                score,
                summary,
                [growth, *symptoms, *(deploys if slow else [])],
                [] if slow else deploys,
                deploy=_version(deploys[0]) if slow else None,
            )
        )
    if focus and not index.find(EvidenceKind.MONOTONIC_GROWTH, focus, SignalKind.MEMORY.value):
        out.append(
            _make(
                FaultKind.MEMORY_LEAK, focus, 0.05, f"{focus} memory shows no steady climb", [], []
            )
        )
    return out


def traffic_spike(
    index: EvidenceIndex, settings: AnalysisSettings, focus: str | None
) -> list[Hypothesis]:
    out = []
    for rate in index.rises(focus or "", [SignalKind.REQUEST_RATE.value]) if focus else []:
        if (rate.magnitude or 1) < 1.5:
            continue
        latency = [
            e
            for e in index.rises(focus or "", [SignalKind.LATENCY_P99.value])
            if _onset(e) >= _onset(rate) - timedelta(minutes=1)
        ]
        deploys = index.find(EvidenceKind.DEPLOY, focus)
        score = 0.5 + 0.3 * bool(latency) - 0.15 * bool(deploys)
        summary = f"{focus} request rate rose {rate.magnitude:.1f}x from {_onset(rate):%H:%M}" + (
            " and latency followed" if latency else ""
        )
        out.append(
            _make(FaultKind.TRAFFIC_SPIKE, focus or "", score, summary, [rate, *latency], deploys)
        )
    if focus and not out:
        symptoms = index.rises(focus, SYMPTOMS)
        out.append(
            _make(
                FaultKind.TRAFFIC_SPIKE,
                focus,
                0.05,
                f"{focus} request rate did not rise: the symptoms are not explained by load",
                [],
                symptoms,
            )
        )
    return out


def model_drift(
    index: EvidenceIndex, settings: AnalysisSettings, focus: str | None
) -> list[Hypothesis]:
    """A served model's drift, from the drift watcher's findings (``analysis/drift.py``)."""
    return drift.model_drift(index.items)


RULES: tuple[Rule, ...] = (bad_deploy, memory_leak, traffic_spike, model_drift)


@dataclass(frozen=True)
class Context:
    """What the rules read besides the evidence: the call graph, the root-cause service ranking
    (service → place, 1 is likeliest) and the taxonomy whose signatures propose the other kinds."""

    topology: Mapping[str, Sequence[str]] = field(default_factory=dict)
    ranks: Mapping[str, int] = field(default_factory=dict)
    taxonomy: Taxonomy = field(default_factory=builtin_taxonomy)


def hypothesise(
    evidence: Iterable[Evidence],
    settings: AnalysisSettings,
    focus: str | None,
    context: Context | None = None,
) -> list[Hypothesis]:
    """Every hypothesis of every rule and every signature, strongest first."""
    context = context or Context()
    index = EvidenceIndex(evidence)
    found = [h for rule in RULES for h in rule(index, settings, focus)]
    found += signature_hypotheses(index.items, settings, context)
    found = discount_propagation(found, index.items, context.topology)
    found = subsume(found, context.taxonomy)
    return sorted(found, key=lambda h: (-h.confidence, h.service != focus, h.kind))


def signature_hypotheses(
    evidence: list[Evidence], settings: AnalysisSettings, context: Context
) -> list[Hypothesis]:
    """One hypothesis per taxonomy kind (without a hand-written rule) and service it fits."""
    window = timedelta(minutes=settings.deploy_window_minutes)
    per_service = service_features(evidence, context.topology, window)
    out = []
    for signature in context.taxonomy.kinds:
        if signature.rule == "builtin":
            continue
        for service, features in sorted(per_service.items()):
            h = score_signature(signature, service, features, context.ranks)
            if h is not None:
                out.append(h)
    return out


def subsume(found: list[Hypothesis], taxonomy: Taxonomy) -> list[Hypothesis]:
    """A supported specific kind outranks the generic kinds it subsumes on the same service."""
    out = list(found)
    for specific in found:
        signature = taxonomy.kind(specific.kind)
        if signature is None or specific.status is not HypothesisStatus.SUPPORTED:
            continue
        for i, other in enumerate(out):
            if (
                other.service == specific.service
                and other.kind in signature.subsumes
                and other.confidence >= specific.confidence
            ):
                confidence = round(max(0.02, specific.confidence - 0.05), 3)
                out[i] = other.model_copy(
                    update={
                        "confidence": confidence,
                        "status": _status(confidence)
                        if confidence < SUPPORTED
                        else HypothesisStatus.WEAK,
                        "summary": f"{other.summary}; explained better as {specific.kind}",
                        "refuting": (*other.refuting, *specific.supporting[:1]),
                    }
                )
                if specific.deploy is None and other.deploy is not None:
                    j = out.index(specific)
                    out[j] = specific.model_copy(update={"deploy": other.deploy})
    return out


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:.0f} min" if minutes >= 1 else f"{delta.total_seconds():.0f} s"
