"""Features per service; name-resolution failures of several services point at their resolver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.hypotheses import Context, hypothesise
from nightowl.analysis.taxonomy import service_features
from nightowl.domain import Evidence, EvidenceKind, PatternLines, Shift
from nightowl.settings import AnalysisSettings

T = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
GRAPH = {"web": ["orders", "dns"], "orders": ["db", "dns"], "mailer": ["dns"]}


def _dns_lines(service: str) -> Evidence:
    return Evidence(
        id=f"logs:{service}:dns_failure",
        kind=EvidenceKind.LOG_ERRORS,
        service=service,
        signal="log:dns_failure",
        summary="lines read like dns failure",
        source="logs",
        query="q",
        onset=T,
        magnitude=20.0,
        detail=PatternLines(
            pattern="dns_failure", lines=20, example="Temporary failure in name resolution"
        ),
    )


def _rise(service: str) -> Evidence:
    return Evidence(
        id=f"change:{service}:error_rate",
        kind=EvidenceKind.METRIC_CHANGE,
        service=service,
        signal="error_rate",
        summary="rose",
        source="m",
        query="q",
        onset=T - timedelta(minutes=1),
        magnitude=40.0,
        detail=Shift(baseline=0.001, level=0.04, direction=1),
    )


def test_several_services_failing_to_resolve_point_at_their_shared_anomalous_resolver() -> None:
    evidence = [
        _dns_lines("web"),
        _dns_lines("mailer"),
        _rise("web"),
        _rise("mailer"),
        _rise("dns"),
    ]
    features = service_features(evidence, GRAPH, timedelta(minutes=30))
    assert "callers_log:dns_failure" in features["dns"]
    found = hypothesise(evidence, AnalysisSettings(), "web", Context(topology=GRAPH))
    dns = [h for h in found if h.kind == "network_dns"]
    assert dns[0].service == "dns"


def test_one_service_failing_to_resolve_is_its_own_dns_problem() -> None:
    evidence = [_dns_lines("web"), _rise("web"), _rise("dns")]
    features = service_features(evidence, GRAPH, timedelta(minutes=30))
    assert "callers_log:dns_failure" not in features.get("dns", {})
    found = hypothesise(evidence, AnalysisSettings(), "web", Context(topology=GRAPH))
    assert [h.service for h in found if h.kind == "network_dns"] == ["web"]


def test_a_healthy_shared_dependency_is_not_blamed() -> None:
    evidence = [_dns_lines("web"), _dns_lines("mailer"), _rise("web"), _rise("mailer")]
    features = service_features(evidence, GRAPH, timedelta(minutes=30))
    assert "dns" not in features
