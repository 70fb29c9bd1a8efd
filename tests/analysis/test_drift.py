"""A ``model_drift`` finding behind an incident: its evidence as the watcher recorded it (read from
the findings store by the alert's fingerprint, never from the alert's text), and the
``model_drift`` hypothesis that names the model, version, column, cause and a coinciding deploy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightowl.analysis.drift import drift_evidence, model_drift
from nightowl.analysis.hypotheses import hypothesise
from nightowl.app.findings import alert_group
from nightowl.domain import Alert, EvidenceKind, HypothesisStatus, ModelDrift
from nightowl.domain.findings import Finding
from nightowl.errors import NotFoundError
from nightowl.mlops.detect import compare
from nightowl.mlops.frames import read_table
from nightowl.mlops.models import DriftReport, DriftRules, Performance
from nightowl.settings import AnalysisSettings, Settings, WatcherConfig
from nightowl.watchers.model_drift import ModelDriftWatcher, Served
from tests.mlops.windows import window, write

AT = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


class Findings:
    """The findings store as the analyze stage reads it: by fingerprint."""

    def __init__(self, *found: Finding) -> None:
        self.found = {f.fingerprint: f for f in found}

    def get(self, fingerprint: str) -> Finding:
        if fingerprint not in self.found:
            raise NotFoundError(f"no finding {fingerprint!r}")
        return self.found[fingerprint]


def found(tmp_path: Path, current: dict[str, list[object]], served: Served) -> list[Finding]:
    """The real watcher's findings on the two windows, tracked as the store would."""
    options = {
        "model": "churn",
        "reference": str(write(tmp_path / "ref.csv", window(1))),
        "current": str(write(tmp_path / "cur.csv", current)),
    }
    config = WatcherConfig(
        name="churn-drift", kind="model_drift", service="churn-api", options=options
    )
    w = ModelDriftWatcher.from_config(config, Settings())
    report = compare(read_table(w.options.reference), read_table(w.options.current))
    return [f.model_copy(update={"first_seen": AT}) for f in w.findings(report, served)]


def alert_of(finding: Finding) -> Alert:
    return alert_group(finding).alerts[0]


@pytest.fixture
def unit_change(tmp_path: Path) -> Finding:
    cur = window(2)
    cur["height_cm"] = [round(v / 2.54, 2) for v in cur["height_cm"]]  # type: ignore[operator]
    served = Served("7", datetime(2026, 12, 4, 1, 40, tzinfo=UTC), coincides=True)
    (finding,) = found(tmp_path, cur, served)
    return finding


def test_the_evidence_is_the_findings_own(unit_change: Finding) -> None:
    (e,) = drift_evidence([alert_of(unit_change)], Findings(unit_change))
    assert e.kind is EvidenceKind.MODEL_DRIFT
    assert e.service == "churn-api"
    assert e.summary == unit_change.title
    d = e.detail
    assert isinstance(d, ModelDrift)
    assert (d.model, d.alias, d.version, d.column, d.cause) == (
        "churn", "champion", "7", "height_cm", "unit_change",
    )  # fmt: skip
    shown = json.loads(str(unit_change.evidence["distribution"]))
    assert (list(d.labels), list(d.reference)) == (shown["labels"], shown["reference"])
    assert d.distance == unit_change.evidence["psi"]
    assert d.deploy_coincides


def test_only_watcher_alerts_with_a_tracked_finding_count(unit_change: Finding) -> None:
    alert = alert_of(unit_change)
    forged = alert.model_copy(update={"source": "alertmanager"})
    assert drift_evidence([forged], Findings(unit_change)) == []
    assert drift_evidence([alert], Findings()) == []  # pruned since: nothing to cite
    assert drift_evidence([alert], None) == []


def test_an_upstream_change_with_a_coinciding_deploy_is_named(unit_change: Finding) -> None:
    evidence = drift_evidence([alert_of(unit_change)], Findings(unit_change))
    (h,) = model_drift(evidence)
    assert (h.kind, h.service, h.deploy, h.confidence) == ("model_drift", "churn-api", "7", 0.85)
    assert h.status is HypothesisStatus.SUPPORTED
    assert h.summary.startswith("model churn@champion version 7: feature 'height_cm' unit change")
    assert "an upstream data change" in h.summary
    assert "registered at 2026-12-04 01:40, within the drift's window" in h.summary
    assert h.supporting == (evidence[0].id,)
    ranked = hypothesise(evidence, AnalysisSettings(), "churn-api")
    assert ranked[0].kind == "model_drift"


def test_a_population_shift_without_a_deploy_calls_for_retraining(tmp_path: Path) -> None:
    cur = window(2)
    cur["age"] = [v + 8 for v in cur["age"]]  # type: ignore[operator]
    findings = found(tmp_path, cur, Served("7", datetime(2026, 11, 1, tzinfo=UTC)))
    evidence = drift_evidence([alert_of(f) for f in findings], Findings(*findings))
    (h,) = model_drift(evidence)
    assert (h.kind, h.confidence, h.deploy) == ("population_shift", 0.7, None)
    assert "the population moved" in h.summary
    assert "'age' population shift" in h.summary


def test_a_population_shift_with_a_coinciding_deploy_is_the_deploys(tmp_path: Path) -> None:
    cur = window(2)
    cur["age"] = [v + 8 for v in cur["age"]]  # type: ignore[operator]
    served = Served("7", datetime(2026, 12, 4, 1, 40, tzinfo=UTC), coincides=True)
    findings = found(tmp_path, cur, served)
    (h,) = model_drift(drift_evidence([alert_of(f) for f in findings], Findings(*findings)))
    assert (h.kind, h.confidence, h.deploy) == ("model_drift", 0.8, "7")


def test_decayed_performance_is_evidence_and_calls_for_retraining(tmp_path: Path) -> None:
    options = {"model": "churn", "reference": "r.csv", "current": "c.csv"}
    config = WatcherConfig(
        name="churn-drift", kind="model_drift", service="churn-api", options=options
    )
    w = ModelDriftWatcher.from_config(config, Settings())
    decayed = Performance(
        metric="auc", reference=0.81, current=0.7, higher_is_better=True, decayed=True
    )
    report = DriftReport(
        reference_rows=100, current_rows=100, rules=DriftRules(), features=[], performance=decayed
    )
    (finding,) = [f.model_copy(update={"first_seen": AT}) for f in w.findings(report, Served("7"))]
    (e,) = drift_evidence([alert_of(finding)], Findings(finding))
    assert isinstance(e.detail, ModelDrift)
    assert (e.detail.role, e.detail.column, e.detail.labels) == ("performance", "auc", ())
    (h,) = model_drift([e])
    assert h.kind == "population_shift"
    assert "performance 'auc' performance decay (auc fell from 0.810 to 0.700)" in h.summary
