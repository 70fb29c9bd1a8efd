"""Typed evidence: each finding reads as fields, and rows stored with the old ``data`` mapping are
read into the matching detail."""

from __future__ import annotations

from nightowl.domain import (
    Change,
    ClusterWarning,
    ErrorLines,
    Evidence,
    EvidenceKind,
    PatternLines,
    PodTrouble,
    Shift,
)


def evidence(kind: EvidenceKind, **kw: object) -> Evidence:
    return Evidence.model_validate(
        {"id": "e", "kind": kind, "service": "checkout", "summary": "", "source": "s", "query": "q"}
        | kw
    )


def test_a_rise_is_a_shift_upwards_or_pods_in_trouble() -> None:
    up = evidence(EvidenceKind.METRIC_CHANGE, detail=Shift(baseline=1, level=3, direction=1))
    down = evidence(EvidenceKind.METRIC_CHANGE, detail=Shift(baseline=3, level=1, direction=-1))
    pods = evidence(EvidenceKind.METRIC_CHANGE, detail=PodTrouble(pods=3))
    assert (up.rising, down.rising, pods.rising) == (True, False, True)
    assert up.baseline == 1


def test_a_deploy_reads_as_a_change_with_its_previous_version() -> None:
    e = evidence(EvidenceKind.DEPLOY, detail=Change(version="v2", previous_version="v1"))
    assert e.change is not None
    assert e.change.previous_version == "v1"
    assert evidence(EvidenceKind.LOG_ERRORS).change is None


def test_legacy_rows_are_read_into_typed_details() -> None:
    shift = evidence(
        EvidenceKind.METRIC_CHANGE, data={"baseline": 1.0, "level": 2.0, "direction": 1}
    )
    assert shift.detail == Shift(baseline=1.0, level=2.0, direction=1)
    pods = evidence(EvidenceKind.METRIC_CHANGE, data={"direction": 1, "pods": 3})
    assert pods.detail == PodTrouble(pods=3)
    config = evidence(EvidenceKind.DEPLOY, data={"change": "config", "version": "config@0200"})
    assert config.change == Change(version="config@0200", config=True)
    pattern = evidence(EvidenceKind.LOG_ERRORS, data={"pattern": "oom", "lines": 2, "example": "x"})
    assert pattern.detail == PatternLines(pattern="oom", lines=2, example="x")
    event = evidence(EvidenceKind.LOG_ERRORS, data={"reason": "BackOff", "count": 4})
    assert event.detail == ClusterWarning(reason="BackOff", count=4)
    errors = evidence(
        EvidenceKind.LOG_ERRORS, data={"lines": 5, "templates": 2, "top_template": "t"}
    )
    assert errors.detail == ErrorLines(lines=5, templates=2, top_template="t")
    assert evidence(EvidenceKind.UNAVAILABLE, data={}).detail is None


def test_a_detail_round_trips_through_json() -> None:
    e = evidence(EvidenceKind.DEPLOY, detail=Change(version="v2", commit="abc"))
    assert Evidence.model_validate_json(e.model_dump_json()) == e
