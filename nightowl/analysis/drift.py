"""Model drift as evidence and as a fault kind: a ``model_drift`` finding behind an incident.

A ``model_drift`` watcher (``watchers/model_drift.py``) with ``on_finding: incident`` pages
through intake with an alert from the ``watcher`` source whose fingerprint is the finding's. The
analyze stage reads that finding back from the store (``drift_evidence``) and turns it into
evidence as the watcher found it — the model, alias, version, column, test, adjusted p-value,
distance, likely cause and both distributions — never re-deriving it from the alert's text.

``model_drift`` (a hand-written rule, ``hypotheses.RULES``) proposes one hypothesis per drifted
model and service. The watcher's test already controlled the false discovery rate across the
model's columns and required a shift large enough to matter, so the drift itself is not in
doubt; the kind says what to do about it and the confidence how specific its cause is:

* an upstream data change the cause tests identified (a unit change that the KS test accepts once
  rescaled, categories the reference never had, a null-rate jump): ``model_drift``, 0.85 — roll
  the model back while the data is fixed upstream;
* a model version registered within the current window (a deploy that coincides, named as the
  hypothesis's ``deploy``): ``model_drift``, 0.8 — roll back to the version before;
* otherwise the population moved: ``population_shift``, 0.7 (the drift is real, its cause
  unnamed) — the previous version faces the same population, so retrain, not roll back.

A decayed-performance finding (the model's metric on the labelled rows fell) is evidence too,
weighed the same way: with a coinciding deploy it is the deploy's, otherwise a retraining's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from nightowl.domain import (
    Alert,
    Evidence,
    EvidenceKind,
    FaultKind,
    Hypothesis,
    HypothesisStatus,
    ModelDrift,
)
from nightowl.domain.findings import Finding
from nightowl.errors import NightowlError

KIND = "model_drift"
"""The watcher kind (and the finding kind) whose findings become drift evidence."""
UPSTREAM = frozenset({"unit_change", "new_category", "nulls_jump"})
UPSTREAM_CONFIDENCE = 0.85
DEPLOY_CONFIDENCE = 0.8
SHIFT_CONFIDENCE = 0.7


class FindingReader(Protocol):
    """The findings store as the analyze stage reads it: one finding by fingerprint
    (``NotFound``, a NightowlError, when there is none)."""

    def get(self, fingerprint: str) -> Finding:
        """The tracked finding with this fingerprint."""
        ...


def drift_evidence(alerts: Sequence[Alert], findings: FindingReader | None) -> list[Evidence]:
    """Evidence of every ``model_drift`` finding behind the incident's watcher alerts."""
    if findings is None:
        return []
    out: list[Evidence] = []
    for alert in alerts:
        if alert.source != "watcher" or alert.labels.get("alertname") != f"nightowl_{KIND}":
            continue
        try:
            finding = findings.get(alert.fingerprint)
        except NightowlError:  # the finding gone (pruned): nothing nightowl found to cite
            continue
        if finding.kind == KIND and "feature" in finding.evidence:
            out.append(evidence_of(finding))
        elif finding.kind == KIND and "metric" in finding.evidence:
            out.append(decay_of(finding))
    return list({e.id: e for e in out}.values())


def evidence_of(finding: Finding) -> Evidence:
    """One drift finding as evidence (its evidence, as the watcher recorded it)."""
    facts = finding.evidence
    shown = json.loads(str(facts.get("distribution") or "{}"))
    name = "psi" if "psi" in facts else "js"
    registered = facts.get("registered_at")
    detail = ModelDrift(
        model=str(facts.get("model", "")),
        alias=str(facts.get("alias", "")),
        version=str(facts["version"]) if facts.get("version") else None,
        column=str(facts["feature"]),
        role=str(facts.get("role", "feature")),
        test=str(facts.get("test", "")),
        adjusted_p=_number(facts.get("adjusted_p")),
        distance_name=name,
        distance=_number(facts.get(name)),
        cause=str(facts.get("cause", "")),
        cause_detail=str(facts.get("cause_detail", "")),
        labels=tuple(shown.get("labels", ())),
        reference=tuple(shown.get("reference", ())),
        current=tuple(shown.get("current", ())),
        registered_at=datetime.fromisoformat(registered) if isinstance(registered, str) else None,
        deploy_coincides=bool(facts.get("deploy_coincides", False)),
        finding=finding.fingerprint,
    )
    return Evidence(
        id=f"drift:{detail.model}:{detail.column}",
        kind=EvidenceKind.MODEL_DRIFT,
        service=finding.service or None,
        signal=f"{detail.role}:{detail.column}",
        summary=finding.title,
        source=f"watcher {finding.watcher}",
        query=f"{detail.test} of {detail.column!r}, reference vs current window",
        onset=finding.first_seen,
        magnitude=detail.distance,
        detail=detail,
    )


def decay_of(finding: Finding) -> Evidence:
    """A decayed-performance finding as evidence (the metric on both windows' labelled rows)."""
    facts = finding.evidence
    metric = str(facts["metric"])
    before, after = _number(facts.get("reference")), _number(facts.get("current"))
    registered = facts.get("registered_at")
    detail = ModelDrift(
        model=str(facts.get("model", "")),
        alias=str(facts.get("alias", "")),
        version=str(facts["version"]) if facts.get("version") else None,
        column=metric,
        role="performance",
        cause="performance_decay",
        cause_detail=f"{metric} fell from {before:.3f} to {after:.3f}"
        if before is not None and after is not None
        else "",
        registered_at=datetime.fromisoformat(registered) if isinstance(registered, str) else None,
        deploy_coincides=bool(facts.get("deploy_coincides", False)),
        finding=finding.fingerprint,
    )
    return Evidence(
        id=f"drift:{detail.model}:performance",
        kind=EvidenceKind.MODEL_DRIFT,
        service=finding.service or None,
        signal=f"performance:{metric}",
        summary=finding.title,
        source=f"watcher {finding.watcher}",
        query=f"{metric} on the labelled rows, reference vs current window",
        onset=finding.first_seen,
        detail=detail,
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def drift_of(e: Evidence) -> ModelDrift | None:
    """The drift this evidence records, if it records one."""
    return e.detail if isinstance(e.detail, ModelDrift) else None


def model_drift(evidence: Iterable[Evidence]) -> list[Hypothesis]:
    """One hypothesis per drifted model and service; see the module docstring."""
    by_model: dict[tuple[str, str], list[Evidence]] = {}
    for e in evidence:
        if (d := drift_of(e)) is not None:
            by_model.setdefault((d.model, e.service or d.model), []).append(e)
    return [_hypothesis(service, found) for (_, service), found in sorted(by_model.items())]


def _hypothesis(service: str, found: list[Evidence]) -> Hypothesis:
    pairs = sorted(
        ((e, d) for e in found if (d := drift_of(e)) is not None),
        key=lambda pair: pair[1].adjusted_p if pair[1].adjusted_p is not None else 1.0,
    )
    drifts = [d for _, d in pairs]
    first = drifts[0]
    upstream = all(d.cause in UPSTREAM for d in drifts)
    deployed = bool(first.deploy_coincides and first.version and first.registered_at)
    kind, confidence = FaultKind.MODEL_DRIFT, UPSTREAM_CONFIDENCE
    if not upstream:
        kind, confidence = (
            (FaultKind.MODEL_DRIFT, DEPLOY_CONFIDENCE)
            if deployed
            else (FaultKind.POPULATION_SHIFT, SHIFT_CONFIDENCE)
        )
    version = f" version {first.version}" if first.version else ""
    moved = "; ".join(
        f"{d.role} {d.column!r} {d.cause.replace('_', ' ') or 'shifted'}"
        + (f" ({d.cause_detail})" if d.cause_detail else "")
        + (f", {d.distance_name} {d.distance:.2f}" if d.distance is not None else "")
        for d in drifts
    )
    why = "an upstream data change" if upstream else "the population moved"
    summary = f"model {first.model}@{first.alias}{version}: {moved} — {why}"
    deploy = None
    if deployed and first.registered_at:
        deploy = first.version
        summary += (
            f"; version {first.version} was registered at {first.registered_at:%Y-%m-%d %H:%M}, "
            "within the drift's window: a model deploy coincides"
        )
    return Hypothesis(
        kind=kind.value,
        service=service,
        confidence=confidence,
        status=HypothesisStatus.of(confidence),
        summary=summary,
        supporting=tuple(e.id for e, _ in pairs),
        refuting=(),
        deploy=deploy,
    )
