"""``nightowl incidents list|show|resolve`` on a real store: whole ids, ids by their start, wrong
data dirs, closing an escalated incident by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from nightowl.cli.main import app
from nightowl.domain import IncidentStatus, Severity, StageName, StageRecord, StageStatus
from nightowl.store import IncidentStore
from tests.store.samples import T0

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_TOKEN": None,
}


def run(*args: str | Path, columns: int = 400) -> Result:
    env = {**CLEAN_ENV, "COLUMNS": str(columns)}
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir whose store holds two incidents that share the start ``inc-3546``."""
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    for n, incident_id in enumerate(("inc-3546a1b2c3d4", "inc-3546ffee0011", "inc-77aa00bb11cc")):
        store.create_incident(
            incident_id=incident_id,
            correlation_key=incident_id,
            title="checkout error rate above 5% since the deploy of v2.4.1 " * 2,
            service=None if n else "checkout",
            severity=Severity.HIGH,
            opened_at=T0 + timedelta(minutes=n),
        )
    store.close()
    return tmp_path


def test_the_list_shows_whole_ids_on_a_narrow_terminal(data_dir: Path) -> None:
    result = run("incidents", "list", "--data-dir", data_dir, columns=80)

    assert result.exit_code == 0, result.output
    for incident_id in ("inc-3546a1b2c3d4", "inc-3546ffee0011", "inc-77aa00bb11cc"):
        assert incident_id in result.stdout
    assert "inc-3546…" not in result.stdout


def test_show_takes_the_start_of_an_id(data_dir: Path) -> None:
    result = run("incidents", "show", "inc-77", "--data-dir", data_dir)

    assert result.exit_code == 0, result.output
    assert "Incident inc-77aa00bb11cc" in result.stdout


def test_an_ambiguous_start_lists_the_ids_it_could_be(data_dir: Path) -> None:
    result = run("incidents", "show", "inc-3546", "--data-dir", data_dir)

    assert result.exit_code == 1
    assert "several incident ids" in result.stderr
    assert "inc-3546ffee0011" in result.stderr
    assert "inc-3546a1b2c3d4" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [("incidents", "list"), ("incidents", "show", "inc-1")])
def test_a_data_dir_with_no_store_is_refused_not_created(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    wrong = tmp_path / "typo"

    result = run(*command, "--data-dir", wrong)

    assert result.exit_code == 1
    assert f"no nightowl store at {wrong / 'nightowl.sqlite'}" in result.stderr
    assert "nightowl demo" in result.stderr
    assert "--data-dir" in result.stderr
    assert not (wrong / "nightowl.sqlite").exists()


def test_show_tells_how_long_each_stage_took_and_never_prints_none(data_dir: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{data_dir / 'nightowl.sqlite'}")
    gather = StageRecord(
        stage=StageName.GATHER,
        status=StageStatus.COMPLETED,
        started_at=T0,
        finished_at=T0 + timedelta(seconds=0.4),
        summary="5 services",
    )
    verify = gather.model_copy(
        update={
            "stage": StageName.VERIFY,
            "finished_at": T0 + timedelta(minutes=6),
            "summary": "[checked] 5 signals",
        }
    )
    for record in (gather, verify):
        store.record_stage("inc-77aa00bb11cc", record)
    store.close()

    result = run("incidents", "show", "inc-77aa00bb11cc", "--data-dir", data_dir)

    assert result.exit_code == 0, result.output
    assert "0.4 s" in result.stdout
    assert "6 min" in result.stdout
    assert "[checked] 5 signals" in result.stdout  # shown as written, not taken for markup
    assert "Report: not written yet" in result.stdout
    assert "None" not in result.stdout


def test_after_the_demo_the_empty_real_store_points_to_the_demos(data_dir: Path) -> None:
    """`nightowl demo` keeps its incidents in <data dir>/demo: reading the data dir itself, where
    no store is yet, says where the demo's are instead of only "no store"."""
    real = data_dir.parent / "fresh"
    (real / "demo").mkdir(parents=True)
    (data_dir / "nightowl.sqlite").rename(real / "demo" / "nightowl.sqlite")

    refused = run("incidents", "list", "--data-dir", real)
    listed = run("incidents", "list", "--data-dir", real / "demo")

    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert f"the demo's incidents are in its own store: --data-dir {real / 'demo'}" in said
    assert listed.exit_code == 0, listed.output
    assert "inc-77aa00bb11cc" in listed.stdout


def test_resolve_closes_an_escalated_incident_and_refuses_a_busy_one(data_dir: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{data_dir / 'nightowl.sqlite'}")
    store.set_status("inc-77aa00bb11cc", IncidentStatus.ESCALATED)
    store.set_status("inc-3546a1b2c3d4", IncidentStatus.INVESTIGATING)
    store.close()
    config = data_dir / "nightowl.yaml"  # the person at the CLI is a responder (default: viewer)
    config.write_text(f"data_dir: {data_dir}\ncli: {{users: {{ci: responder}}}}\n")

    def resolve(*args: str) -> Result:
        env = {**CLEAN_ENV, "COLUMNS": "400", "LOGNAME": "ci", "USER": "ci"}
        command = ["incidents", "resolve", *args, "--config", str(config)]
        return CliRunner().invoke(app, command, env=env)

    closed = resolve("inc-77", "-r", "rolled back by hand")
    again = resolve("inc-77", "-r", "again")
    busy = resolve("inc-3546a1", "-r", "done")
    shown = run("incidents", "show", "inc-77", "--data-dir", data_dir)

    assert closed.exit_code == 0, closed.output
    assert "incident inc-77aa00bb11cc resolved: rolled back by hand" in closed.stdout
    assert (again.exit_code, busy.exit_code) == (1, 1)
    assert "already resolved" in again.output
    assert "investigating: its workflow is still working on it" in busy.output
    assert "Traceback" not in busy.output
    assert "resolved" in shown.stdout
