"""Rows ↔ domain models: what is stored validates back into its type, children keep their order,
evidence ids are unique per incident, and an incident shows the newest attempt of each stage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nightowl.domain import Evidence, EvidenceKind, StageName, StageRecord, StageStatus
from nightowl.store import rows
from nightowl.store.tables import AlertRow, StageRunRow
from tests.store.samples import T0, make_alert


def evidence(eid: str) -> Evidence:
    return Evidence(
        id=eid, kind=EvidenceKind.LOG_ERRORS, service="checkout", summary="errors",
        source="loki", query="{service=\"checkout\"}",
    )  # fmt: skip


def test_dump_is_json_that_validates_back() -> None:
    item = evidence("e1")
    data = rows.dump(item)
    assert Evidence.model_validate(data) == item
    assert data["kind"] == "log_errors"  # enums as their values: the JSON form


def test_evidence_rows_keep_the_order_and_refuse_repeated_ids() -> None:
    made = rows.evidence_rows("inc-1", [evidence("b"), evidence("a")])
    assert [(r.position, r.evidence_id) for r in made] == [(0, "b"), (1, "a")]
    assert {r.kind for r in made} == {"log_errors"}
    with pytest.raises(ValueError, match=r"repeated: \['a'\]"):
        rows.evidence_rows("inc-1", [evidence("a"), evidence("b"), evidence("a")])


def test_an_alert_row_reads_back_as_the_alert() -> None:
    alert = make_alert()
    values = rows.alert_values("inc-1", alert, T0)
    assert rows.alert_from(AlertRow(**values)) == alert


def stage_row(stage: StageName, attempt: int, status: StageStatus) -> StageRunRow:
    record = StageRecord(stage=stage, status=status, started_at=T0 + timedelta(seconds=attempt))
    values = rows.stage_values(record)
    return StageRunRow(incident_id="inc-1", stage=stage.value, attempt=attempt, **values)


def test_an_incident_shows_the_newest_attempt_of_each_stage_in_pipeline_order() -> None:
    stored = [
        stage_row(StageName.NOTIFY, 1, StageStatus.COMPLETED),
        stage_row(StageName.GATHER, 1, StageStatus.FAILED),
        stage_row(StageName.TRIAGE, 1, StageStatus.COMPLETED),
        stage_row(StageName.GATHER, 2, StageStatus.COMPLETED),
    ]
    latest = rows.latest_stages(stored)
    assert [(s.stage, s.attempt, s.status) for s in latest] == [
        (StageName.TRIAGE, 1, StageStatus.COMPLETED),
        (StageName.GATHER, 2, StageStatus.COMPLETED),
        (StageName.NOTIFY, 1, StageStatus.COMPLETED),
    ]
