"""Log lines that name another service's host are evidence about that service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.attribution import HostIndex
from nightowl.analysis.evidence import analyze
from nightowl.analysis.hypotheses import Context, hypothesise
from nightowl.domain import LogLevel, LogRecord, Observations
from nightowl.settings import AnalysisSettings

HOSTS = {
    "ledger": ["ledger.payments.svc.cluster.local", "ledger.payments.svc"],
    "carrier-api": ["api.carrier.example"],
    "db": ["db"],
}


def test_a_host_is_found_as_a_whole_name_and_the_longest_wins() -> None:
    index = HostIndex(HOSTS)
    line = "PKIX path validation failed for https://ledger.payments.svc.cluster.local:8443/v1"
    assert index.about(line, "payments") == "ledger"
    assert index.about("GET https://api.carrier.example/rates timed out.", "checkout") == (
        "carrier-api"
    )
    assert index.about("calling api.carrier.example.evil.test", "checkout") is None
    assert index.about("xapi.carrier.example refused", "checkout") is None


def test_a_service_naming_its_own_host_or_a_short_name_is_not_attributed() -> None:
    index = HostIndex(HOSTS)
    assert index.about("ledger.payments.svc: certificate has expired", "ledger") is None
    assert index.about("db connection refused", "checkout") is None
    assert not HostIndex({})


def _obs(lines: list[str]) -> Observations:
    at = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    logs = tuple(
        LogRecord(
            timestamp=at + timedelta(seconds=i), service="payments", level=LogLevel.ERROR, message=m
        )
        for i, m in enumerate(lines)
    )
    return Observations(
        service="payments",
        start=at - timedelta(hours=1),
        end=at + timedelta(minutes=5),
        services=("payments", "ledger"),
        topology={"payments": ["ledger"]},
        endpoints=HOSTS,
        logs=logs,
    )


def test_a_callers_certificate_errors_point_at_the_service_it_names() -> None:
    obs = _obs(["x509: certificate has expired talking to ledger.payments.svc:8443"] * 3)
    evidence = analyze(obs)
    (found,) = [e for e in evidence if e.signal == "log:certificate_expired"]
    assert found.id == "logs:payments:certificate_expired:ledger"
    assert "naming ledger" in found.summary
    top = hypothesise(evidence, AnalysisSettings(), "payments", Context(topology=obs.topology))
    cert = [h for h in top if h.kind == "certificate_expiry"]
    assert [h.service for h in cert] == ["ledger"]


def test_lines_naming_no_host_stay_with_the_service_that_logs_them() -> None:
    obs = _obs(["x509: certificate has expired"])
    (found,) = [e for e in analyze(obs) if e.signal == "log:certificate_expired"]
    assert found.id == "logs:payments:certificate_expired"
