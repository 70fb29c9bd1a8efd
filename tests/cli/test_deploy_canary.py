"""``nightowl deploy canary``: the canary analyses an SRE reads, newest first, as a table or JSON
(on stdout), by service; an empty store says when analyses start."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner, Result

from nightowl.app.records import Records
from nightowl.domain import Deploy
from nightowl.domain.canary import CanaryRun, Measurement, MetricResult, Verdict
from nightowl.settings import Settings

AT = datetime(2026, 11, 20, 2, 51, tzinfo=UTC)
ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None, "NIGHTOWL_DATA_DIR": None, "NIGHTOWL_TOKEN": None,
    "LOGNAME": "ci", "USER": "ci", "COLUMNS": "400",
}  # fmt: skip


def run(*args: str | Path) -> Result:
    from nightowl.cli.main import app

    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def _store_two(tmp_path: Path) -> None:
    records = Records.open(Settings.model_validate({"data_dir": str(tmp_path)}))
    try:
        for minutes, service in ((0, "checkout"), (5, "payments")):
            at = AT + timedelta(minutes=minutes)
            deploy = Deploy(
                service=service, version="v2", previous_version="v1", at=at, source="ci"
            )
            run_ = records.canary_runs.start(
                CanaryRun(id=f"canary:{service}", deploy=deploy, started_at=at)
            )
            result = MetricResult(
                metric="latency", signal="latency_p99", verdict=Verdict.FAIL, reason="r"
            )
            records.canary_runs.measured(
                run_.id, Measurement(index=0, at=at, verdict=Verdict.FAIL, metrics=(result,))
            )
        records.canary_runs.concluded(
            "canary:checkout", Verdict.FAIL, "canary analysis failed for checkout v2", "inc-7"
        )
    finally:
        records.close()


def test_lists_the_analyses_newest_first_as_json_and_by_service(tmp_path: Path) -> None:
    _store_two(tmp_path)
    every = run("deploy", "canary", "--data-dir", tmp_path, "--json")
    assert every.exit_code == 0, every.output
    assert [r["id"] for r in json.loads(every.stdout)] == ["canary:payments", "canary:checkout"]
    one = run("deploy", "canary", "--data-dir", tmp_path, "--service", "checkout", "--json")
    (shown,) = json.loads(one.stdout)
    assert (shown["verdict"], shown["incident_id"]) == ("fail", "inc-7")


def test_the_table_shows_the_verdict_or_the_latest_interval(tmp_path: Path) -> None:
    _store_two(tmp_path)
    table = run("deploy", "canary", "--data-dir", tmp_path)
    assert table.exit_code == 0, table.output
    assert "canary analysis failed for checkout v2" in table.output
    assert "running" in table.output  # payments has no verdict yet
    assert "interval 1: latency fail" in table.output


def test_no_analyses_yet_says_when_they_start(tmp_path: Path) -> None:
    Records.open(Settings.model_validate({"data_dir": str(tmp_path)})).close()
    empty = run("deploy", "canary", "--data-dir", tmp_path)
    assert empty.exit_code == 0
    assert "they start when a deploy is pushed to the server" in empty.output
