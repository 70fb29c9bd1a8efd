"""The Loghub benchmark: metrics on hand-made data, dataset loading, runner and CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from nightowl_lab.cli.bench import bench_app
from nightowl_lab.eval.loghub import (
    find_systems,
    grouping_accuracy,
    load_system,
    nightowl_parser,
    normalise_template,
    parsing_accuracy,
    run_benchmark,
)
from typer.testing import CliRunner

from nightowl.errors import InputError

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "bench"

LINES = [
    ("Received block blk_1 of size 10 from /10.0.0.1", "Received block <*> of size <*> from <*>"),
    ("Received block blk_2 of size 20 from /10.0.0.2", "Received block <*> of size <*> from <*>"),
    ("Deleting block blk_1 file /data/blk_1", "Deleting block <*> file <*>"),
    ("session closed for user cyrus", "session closed for user <*>"),
    ("session closed for user news", "session closed for user <*>"),
    ("session closed for user test", "session closed for user <*>"),
    ("session closed for user root", "session closed for user <*>"),
    ("cupsd startup succeeded", "cupsd startup succeeded"),
    ("cupsd shutdown succeeded", "cupsd shutdown succeeded"),
]


def write_system(root: Path, name: str, rows: list[tuple[str, str]], suffix: str) -> None:
    (root / name).mkdir(parents=True)
    with (root / name / f"{name}{suffix}").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["LineId", "Content", "EventId", "EventTemplate"])
        for i, (content, template) in enumerate(rows, 1):
            writer.writerow([i, content, f"E{i}", template])


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    write_system(tmp_path, "Tiny", LINES, "_2k.log_structured.csv")
    (tmp_path / "notes").mkdir()  # a folder without a labelled file is ignored
    return tmp_path


def test_grouping_accuracy_counts_exact_groups_only() -> None:
    truth = ["A", "A", "B", "B", "C"]
    assert grouping_accuracy([1, 1, 2, 2, 3], truth) == 1.0
    assert grouping_accuracy(["x", "x", "y", "z", "w"], truth) == pytest.approx(3 / 5)  # B split
    assert grouping_accuracy([1, 1, 1, 1, 3], truth) == pytest.approx(1 / 5)  # A+B merged
    assert grouping_accuracy([], []) == 0.0
    with pytest.raises(ValueError, match="length"):
        grouping_accuracy([1], truth)


def test_normalisation_follows_loghub_2() -> None:
    line = "connection from 1.2.3.4 () at Sun Jul 24 02:38:22 2005"
    assert normalise_template("connection from <*> (<*>) at <*>", line) == (
        "connection from <*> () at <*>"  # a variable that matched nothing is dropped
    )
    assert normalise_template("at <*>:<*>:<*> <*>", "at 1:2:3 x") == "at <*>"
    assert normalise_template("v <*>.<*>  ok", "v 1.2 ok") == "v <*> ok"
    assert normalise_template("no variables", "no variables") == "no variables"


def test_parsing_accuracy_compares_normalised_templates() -> None:
    contents = ["took 5 ms", "took 7 ms", "user bob"]
    truth = ["took <*> ms", "took <*> ms", "user <*>"]
    predicted = ["took <*> ms", "took <*>", "user bob"]  # the unit eaten; a value kept
    assert parsing_accuracy(predicted, truth, contents) == pytest.approx(1 / 3)
    assert parsing_accuracy(truth, truth, contents) == 1.0
    with pytest.raises(ValueError, match="length"):
        parsing_accuracy(truth, truth[:1], contents)


def test_find_and_load_systems(dataset: Path) -> None:
    systems = find_systems(dataset)
    assert list(systems) == ["Tiny"]
    log = load_system("Tiny", systems["Tiny"])
    assert log.contents[0].startswith("Received block")
    assert log.templates[3] == "session closed for user <*>"


def test_bad_dataset_dirs_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        find_systems(tmp_path / "missing")
    with pytest.raises(InputError, match="--corrected"):
        find_systems(tmp_path)
    (tmp_path / "Bad").mkdir()
    (tmp_path / "Bad" / "Bad_2k.log_structured.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="Content and EventTemplate"):
        load_system("Bad", tmp_path / "Bad" / "Bad_2k.log_structured.csv")


def test_runner_scores_the_miner(dataset: Path) -> None:
    seen: list[str] = []
    result = run_benchmark(dataset, repeat=1, on_system=seen.append)
    assert seen == ["Tiny"]
    tiny = result.systems["Tiny"]
    assert tiny.grouping_accuracy == 1.0
    assert tiny.parsing_accuracy == 1.0
    assert tiny.templates_found == tiny.templates_true == 5
    assert tiny.lines == len(LINES)
    assert tiny.lines_per_second > 0
    assert tiny.peak_memory_bytes > 0
    assert result.average.grouping_accuracy == 1.0
    assert result.baseline is None


def test_drain3_baseline_runs_in_the_same_run(dataset: Path) -> None:
    pytest.importorskip("drain3")
    from nightowl_lab.eval.drain3_baseline import drain3_factory

    result = run_benchmark(dataset, repeat=1, baseline=drain3_factory(dataset))
    assert result.baseline is not None
    assert result.baseline.name == "drain3"
    assert 0.0 <= result.baseline.systems["Tiny"].grouping_accuracy <= 1.0
    assert result.baseline.speed_ratio > 0


def test_cli_json_output(dataset: Path) -> None:
    out = CliRunner().invoke(bench_app, ["logs", "--dataset-dir", str(dataset), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data["systems"]["Tiny"]) >= {
        "grouping_accuracy",
        "parsing_accuracy",
        "lines_per_second",
    }
    assert data["average"]["grouping_accuracy"] == 1.0
    assert data["baseline"] is None
    loo = data["leave_one_out"]
    assert loo["grid_size"] == 12
    assert set(loo["systems"]["Tiny"]) == {"config", "grouping_accuracy", "parsing_accuracy"}
    assert loo["in_sample_average"]["grouping_accuracy"] >= loo["average"]["grouping_accuracy"]
    assert data["summary"].startswith("1 systems | fixed config GA 1.000")


def test_cli_table_output(dataset: Path) -> None:
    out = CliRunner().invoke(bench_app, ["logs", "--dataset-dir", str(dataset), "--repeat", "1"])
    assert out.exit_code == 0, out.output
    assert "Tiny" in out.output
    assert "average" in out.output
    assert "LOO GA" in out.output
    assert "summary:" in out.output


def test_cli_no_select_skips_the_grid(dataset: Path) -> None:
    args = ["logs", "--dataset-dir", str(dataset), "--json", "--no-select", "--repeat", "1"]
    out = CliRunner().invoke(bench_app, args)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["leave_one_out"] is None


def test_cli_bad_dir_exits_2_without_traceback(tmp_path: Path) -> None:
    out = CliRunner().invoke(bench_app, ["logs", "--dataset-dir", str(tmp_path / "nope")])
    assert out.exit_code == 2
    assert "does not exist" in " ".join(out.output.split())
    assert "Traceback" not in out.output


def test_cli_unknown_baseline(dataset: Path) -> None:
    out = CliRunner().invoke(
        bench_app, ["logs", "--dataset-dir", str(dataset), "--baseline", "nope"]
    )
    assert out.exit_code == 2
    assert "unknown baseline" in " ".join(out.output.split())


def test_missing_drain3_names_the_extra(monkeypatch: pytest.MonkeyPatch, dataset: Path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "drain3", None)  # makes "import drain3" fail
    out = CliRunner().invoke(
        bench_app, ["logs", "--dataset-dir", str(dataset), "--baseline", "drain3"]
    )
    assert out.exit_code == 2
    assert "pip install 'nightowl-lab[drain3]'" in " ".join(out.output.split())


def test_real_system_meets_the_grouping_target() -> None:
    path = BENCH / "loghub-2k"
    if not (path / "HDFS" / "HDFS_2k.log_structured.csv").is_file():
        pytest.skip(f"Loghub sample not found under {path} (read-only data outside the repo)")
    systems = find_systems(path)
    log = load_system("HDFS", systems["HDFS"])
    result_ids, templates = nightowl_parser(log.contents)
    assert grouping_accuracy(result_ids, log.templates) >= 0.99
    assert len(set(templates)) == len(set(log.templates))
