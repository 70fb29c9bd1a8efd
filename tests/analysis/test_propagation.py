"""A deploy on a caller of a dependency that showed the symptoms first is not the cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.hypotheses import Context, hypothesise
from nightowl.analysis.propagation import discount_propagation
from nightowl.domain import Change, Evidence, EvidenceKind, Hypothesis, HypothesisStatus, Shift
from nightowl.settings import AnalysisSettings

T = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
GRAPH = {"web": ["api"], "api": ["db"]}


def _rise(service: str, signal: str, minutes: float) -> Evidence:
    return Evidence(
        id=f"change:{service}:{signal}",
        kind=EvidenceKind.METRIC_CHANGE,
        service=service,
        signal=signal,
        summary=f"{service} {signal} rose",
        source="m",
        query="q",
        onset=T + timedelta(minutes=minutes),
        magnitude=3.0,
        detail=Shift(baseline=1.0, level=3.0, direction=1),
    )


def _deploy(service: str, minutes: float) -> Evidence:
    return Evidence(
        id=f"deploy:{service}:v2",
        kind=EvidenceKind.DEPLOY,
        service=service,
        summary=f"{service} v1 → v2",
        source="d",
        query="deploys",
        onset=T + timedelta(minutes=minutes),
        detail=Change(version="v2", previous_version="v1"),
    )


def _bad_deploy(found: list[Hypothesis], service: str) -> Hypothesis:
    return next(h for h in found if h.kind == "bad_deploy" and h.service == service)


def test_a_callers_deploy_after_its_dependency_began_failing_is_refuted() -> None:
    evidence = [
        _rise("db", "latency_p99", 0),
        _rise("api", "latency_p99", 1),
        _rise("web", "error_rate", 6),
        _deploy("web", 5),
    ]
    plain = hypothesise(evidence, AnalysisSettings(), "web")
    discounted = hypothesise(evidence, AnalysisSettings(), "web", Context(topology=GRAPH))
    before, after = _bad_deploy(plain, "web"), _bad_deploy(discounted, "web")
    assert before.status is HypothesisStatus.SUPPORTED
    assert after.confidence < before.confidence - 0.3
    assert after.status is not HypothesisStatus.SUPPORTED
    assert "db was failing before it" in after.summary


def test_the_deploy_of_the_service_where_the_fault_starts_keeps_its_weight() -> None:
    evidence = [_deploy("db", -2), _rise("db", "error_rate", 0), _rise("api", "error_rate", 1)]
    found = hypothesise(evidence, AnalysisSettings(), "api", Context(topology=GRAPH))
    plain = hypothesise(evidence, AnalysisSettings(), "api")
    assert _bad_deploy(found, "db") == _bad_deploy(plain, "db")


def test_load_sent_by_the_deployed_caller_is_not_propagation() -> None:
    """A retry storm: the client deploys, its callee's errors and request rate rise together."""
    evidence = [
        _deploy("web", 0),
        _rise("api", "error_rate", 2),
        _rise("api", "request_rate", 2),
        _rise("web", "error_rate", 2),
    ]
    found = [_bad_deploy(hypothesise(evidence, AnalysisSettings(), "web"), "web")]
    assert discount_propagation(found, evidence, GRAPH) == found


def test_a_callee_first_without_load_weakens_the_deploy() -> None:
    evidence = [_deploy("web", 0), _rise("api", "error_rate", 2), _rise("web", "error_rate", 3)]
    found = [_bad_deploy(hypothesise(evidence, AnalysisSettings(), "web"), "web")]
    (weakened,) = discount_propagation(found, evidence, GRAPH)
    assert weakened.confidence == round(max(0.02, min(found[0].confidence - 0.35, 0.3)), 3)
    assert weakened.status is not HypothesisStatus.SUPPORTED
    assert "api showed the symptoms first" in weakened.summary
