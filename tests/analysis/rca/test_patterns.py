"""Event-pattern baselines: rules learnt from fault-free logs, and deviations after a fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.analysis.rca import PatternBaseline, RankConfig, learn_baseline, rank_services
from nightowl.analysis.rca.patterns import METRIC, pattern_anomalies
from nightowl.domain.signals import LogLevel, LogRecord

FAULT = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
GRAPH = {"web": ("api",), "api": ("db",), "db": ()}
FLOW = {"web": ("handle request", "reply sent"), "api": ("query start", "query done")}


def record(
    service: str, message: str, at: datetime, trace: str, level: LogLevel = LogLevel.INFO
) -> LogRecord:
    return LogRecord(
        timestamp=at, service=service, level=level, message=message, labels={"trace": trace}
    )


def requests(
    start: datetime, n: int, broken: str | None = None, error: str | None = None
) -> list[LogRecord]:
    """``n`` requests that each log both statements of every service's flow; ``broken`` skips its
    second statement and ``error`` logs a new error line."""
    out: list[LogRecord] = []
    for i in range(n):
        at, trace = start + timedelta(seconds=i), f"t{start:%H%M}{i}"
        for service, (first, second) in FLOW.items():
            out.append(record(service, f"{first} id={i}", at, trace))
            if service != broken:
                out.append(record(service, f"{second} id={i}", at, trace))
        if error is not None:
            out.append(
                record(error, f"call failed: status {500 + i % 3}", at, trace, LogLevel.ERROR)
            )
    return out


def test_rules_are_learnt_from_requests_that_always_log_both_statements() -> None:
    baseline = learn_baseline(requests(FAULT - timedelta(hours=2), 20))
    assert set(baseline.services) == {"web", "api"}
    api = baseline.services["api"]
    assert any("query done" in b for rules in api.rules.values() for b, _ in rules)
    assert not learn_baseline([])


def test_a_vanished_statement_and_a_new_error_are_deviations() -> None:
    baseline = learn_baseline(requests(FAULT - timedelta(hours=2), 20))
    logs = requests(FAULT, 10, broken="api", error="api")
    found = pattern_anomalies(logs, baseline, FAULT, timedelta(minutes=5))
    assert found["api"].metric == METRIC
    assert found["api"].score > 0.0
    assert found["api"].onset == FAULT
    assert found["web"].score == 0.0


def test_logs_before_the_fault_or_of_unknown_services_are_not_judged() -> None:
    baseline = learn_baseline(requests(FAULT - timedelta(hours=2), 20))
    logs = requests(FAULT - timedelta(minutes=1), 10, broken="api")
    logs += [record("other", "never seen", FAULT, "x", LogLevel.ERROR)]
    found = pattern_anomalies(logs, baseline, FAULT, timedelta(minutes=5))
    assert "other" not in found
    assert all(a.score == 0.0 for a in found.values())


def test_the_ranker_reads_the_baseline_and_still_works_without_one() -> None:
    baseline = learn_baseline(requests(FAULT - timedelta(hours=2), 20))
    logs = requests(FAULT - timedelta(minutes=2), 60) + requests(FAULT, 30, broken="api")
    ranked = rank_services({}, GRAPH, FAULT, logs=logs, patterns=baseline)
    assert ranked[0].service == "api"
    assert any(s.metric == METRIC for s in ranked[0].signals)
    plain = rank_services({}, GRAPH, FAULT, logs=logs)
    assert all(s.metric != METRIC for r in plain for s in r.signals)
    empty = rank_services({}, GRAPH, FAULT, logs=logs, patterns=PatternBaseline())
    assert [r.service for r in empty] == [r.service for r in plain]


def test_new_error_patterns_weigh_as_configured() -> None:
    baseline = learn_baseline(requests(FAULT - timedelta(hours=2), 20))
    logs = requests(FAULT, 10, error="db")
    found = pattern_anomalies(logs, baseline, FAULT, timedelta(minutes=5), new_weight=0.0)
    assert "db" not in found or found["db"].score == 0.0
    logs = requests(FAULT, 10, error="api")
    light = pattern_anomalies(logs, baseline, FAULT, timedelta(minutes=5), new_weight=1.0)
    heavy = pattern_anomalies(logs, baseline, FAULT, timedelta(minutes=5), new_weight=3.0)
    assert heavy["api"].score > light["api"].score > 0.0
    assert RankConfig().pattern_new_weight == 1.0
