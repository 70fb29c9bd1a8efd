"""PetShop's layout: graph, wide metrics with a three-row header, targets; scored per scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nightowl_lab.eval.rca.petshop import PetShopDataset, read_graph, read_metrics
from nightowl_lab.eval.rca.runner import run_benchmark

from nightowl.errors import InputError

SCENARIOS = ("low_traffic", "high_traffic", "temporal_traffic1", "temporal_traffic2")


def test_graph_rows_call_columns(petshop_dir: Path) -> None:
    graph = read_graph(petshop_dir / "dataset" / "low_traffic" / "graph.csv")
    assert graph["frontend"] == ("search", "cart", "checkout")
    assert graph["database"] == ()


def test_metrics_become_series_per_node_and_statistic(petshop_dir: Path) -> None:
    issue = petshop_dir / "dataset" / "low_traffic" / "train" / "issue_0"
    metrics = read_metrics(issue / "metrics.csv")
    assert set(metrics["frontend"]) == {
        "latency.Average",
        "latency.p90",
        "requests.Sum",
        "availability.Average",
    }
    series = metrics["cart"]["latency.p90"]
    assert len(series.timestamps) == 5
    assert series.timestamps[1] - series.timestamps[0] == 300.0


def test_cases_carry_the_target_as_symptom_and_noissue_as_history(petshop_dir: Path) -> None:
    dataset = PetShopDataset(petshop_dir, normal=False)
    assert len(dataset) == 28
    case = next(iter(dataset.cases()))
    target = json.loads(
        (petshop_dir / "dataset" / case.name.replace("/", "/", 2) / "target.json").read_text()
    )
    assert case.observations.service == target["target"]["node"]
    assert case.symptom_metric == f"{target['target']['metric']}.{target['target']['agg']}"
    assert case.root_cause == target["root_cause"]["node"]
    assert case.group in SCENARIOS
    history = case.observations.history.signals["cart"]["latency.p90"]
    assert len(history.timestamps) == 576


def test_normal_operation_is_cut_into_slices_without_a_root_cause(petshop_dir: Path) -> None:
    dataset = PetShopDataset(petshop_dir)
    normal = [c for c in dataset.cases() if c.root_cause is None]
    assert len(normal) == len(dataset) - 28 > 0
    first = normal[0]
    inside = first.observations.signals["cart"]["latency.p90"].timestamps
    around = first.observations.history.signals["cart"]["latency.p90"].timestamps
    assert len(inside) == 5
    assert not set(inside) & set(around)


def test_every_synthetic_scenario_reaches_the_target(petshop_dir: Path) -> None:
    result = run_benchmark(PetShopDataset(petshop_dir))
    document = result.document()
    assert document["cases"] == 28
    assert document["specificity"] is not None
    per_group = document["per_group"]
    assert isinstance(per_group, dict)
    assert set(per_group) == set(SCENARIOS)
    for group in SCENARIOS:
        assert result.scorecard(group).ac[2] == 1.0
    assert result.scorecard().ac[0] >= 0.85


def test_a_folder_without_the_layout_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"graph\.csv"):
        PetShopDataset(tmp_path)


def test_a_metrics_file_without_its_header_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text("microservice,a\n")
    with pytest.raises(InputError, match="three-row header"):
        read_metrics(path)
