"""Verification: after an action, are the symptoms back within tolerance of their baseline?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.domain import Evidence, EvidenceKind, Series
from nightowl.verify.recovery import check, judge, symptoms

START = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
WINDOW = (START, START + timedelta(minutes=5))
AT = WINDOW[1]


def symptom(
    signal: str, baseline: float, service: str = "checkout", direction: int = 1
) -> Evidence:
    return Evidence(
        id=f"change:{service}:{signal}",
        kind=EvidenceKind.METRIC_CHANGE,
        service=service,
        signal=signal,
        summary=f"{signal} changed",
        source="test",
        query=signal,
        onset=START - timedelta(minutes=20),
        magnitude=5.0,
        data={"baseline": baseline, "level": baseline * 5, "direction": direction},
    )


def series(signal: str, values: list[float]) -> Series:
    stamps = tuple(START.timestamp() + 30 * i for i in range(len(values)))
    return Series(
        metric=signal, labels={"service": "checkout"}, timestamps=stamps, values=tuple(values)
    )


def test_symptoms_back_within_tolerance_is_recovered() -> None:
    before = [symptom("latency_p99", 0.25), symptom("memory", 4e8)]
    after = {
        "checkout": {
            # still high at first, then back to normal: the recent half is what counts
            "latency_p99": series("latency_p99", [1.6, 1.2, 0.8, 0.3, 0.27, 0.26, 0.25, 0.26]),
            "memory": series("memory", [4.1e8] * 8),
        }
    }

    verdict = judge(before, after, 1.5, WINDOW, AT)

    assert verdict.recovered is True
    assert [(c.signal, c.ok) for c in verdict.checks] == [("latency_p99", True), ("memory", True)]
    latency = verdict.checks[0]
    assert latency.baseline == 0.25
    assert latency.limit == 0.25 * 1.5
    assert latency.observed == 0.26
    assert verdict.summary.startswith("recovered: checkout latency_p99 260 ms ≤ 375 ms")
    assert (verdict.window_start, verdict.window_end, verdict.checked_at) == (*WINDOW, AT)
    assert verdict.rolled_back is False


def test_a_symptom_still_high_is_not_recovered() -> None:
    before = [symptom("latency_p99", 0.25), symptom("memory", 4e8)]
    after = {
        "checkout": {
            "latency_p99": series("latency_p99", [1.7] * 8),
            "memory": series("memory", [4e8] * 8),
        }
    }

    verdict = judge(before, after, 1.5, WINDOW, AT)

    assert verdict.recovered is False
    assert [c.ok for c in verdict.checks] == [False, True]
    assert verdict.summary == "not recovered: checkout latency_p99 1.70 s > 375 ms"


def test_missing_data_is_not_recovered() -> None:
    verdict = judge([symptom("error_rate", 0.002)], {}, 1.5, WINDOW, AT)

    assert verdict.recovered is False
    assert verdict.checks[0].observed is None
    assert "no data" in verdict.summary


def test_nothing_to_check_cannot_confirm_recovery() -> None:
    verdict = judge([], {"checkout": {}}, 1.5, WINDOW, AT)

    assert verdict.recovered is False
    assert verdict.checks == ()
    assert "cannot be confirmed" in verdict.summary


def test_a_tiny_error_rate_baseline_has_an_absolute_floor() -> None:
    after = {"checkout": {"error_rate": series("error_rate", [0.006] * 8)}}

    verdict = judge([symptom("error_rate", 0.002)], after, 1.5, WINDOW, AT)

    assert verdict.recovered is True
    assert verdict.checks[0].limit == 0.01


def test_symptoms_are_the_rises_on_the_services_acted_on() -> None:
    evidence = [
        symptom("latency_p99", 0.25),
        symptom("error_rate", 0.002),
        symptom("request_rate", 100.0),  # load is not a symptom to re-check
        symptom("latency_p99", 0.3, service="frontend"),  # not acted on
        symptom("memory", 4e8, direction=-1),  # a fall is not a symptom
        Evidence(
            id="deploy:checkout:v2",
            kind=EvidenceKind.DEPLOY,
            service="checkout",
            summary="deployed",
            source="test",
            query="deploys",
        ),
    ]

    found = symptoms(evidence, ["checkout"])

    assert [e.id for e in found] == ["change:checkout:latency_p99", "change:checkout:error_rate"]


def test_a_check_reads_the_median_of_the_recent_half_against_the_limit() -> None:
    recovered = check(
        symptom("latency_p99", 0.2), series("latency_p99", [9, 9, 9, 0.2, 0.3, 0.25]), 1.5
    )
    assert (recovered.observed, recovered.limit, recovered.ok) == (0.25, 0.2 * 1.5, True)
    still = check(symptom("latency_p99", 0.2), series("latency_p99", [0.1, 0.1, 0.5, 0.5]), 1.5)
    assert (still.observed, still.ok) == (0.5, False)


def test_a_check_without_data_fails_and_an_error_rate_has_a_floor() -> None:
    missing = check(symptom("error_rate", 0.001), None, 2.0)
    empty = check(symptom("error_rate", 0.001), series("error_rate", []), 2.0)
    assert (missing.observed, missing.ok) == (None, False)
    assert (empty.observed, empty.ok) == (None, False)
    floored = check(symptom("error_rate", 0.001), series("error_rate", [0.008] * 4), 2.0)
    assert (floored.limit, floored.ok) == (0.01, True)  # 2 × 0.1 % would have failed it
