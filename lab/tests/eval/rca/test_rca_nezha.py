"""Nezha: pod names, spans into signals, and one real day's first case (skipped without data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nightowl_lab.eval.rca.nezha import NezhaDataset, read_faults
from nightowl_lab.eval.rca.nezha_metrics import service_of_pod
from nightowl_lab.eval.rca.nezha_traces import Span, call_graph, read_logs, trace_signals

from nightowl.errors import InputError


@pytest.mark.parametrize(
    ("pod", "service"),
    [
        ("ts-contacts-service-866bd68c97-xcqfx", "ts-contacts-service"),
        ("productcatalogservice-668d5f85fb-wckp8", "productcatalogservice"),
        ("redis-0", "redis"),
        ("frontend", "frontend"),
    ],
)
def test_pods_map_to_their_workload(pod: str, service: str) -> None:
    assert service_of_pod(pod) == service


def test_spans_give_latency_self_time_and_wire_time() -> None:
    spans = [
        Span("t", "1", "root", "gw", 0.0, 100.0),
        Span("t", "2", "1", "gw", 0.001, 90.0),  # the gateway's client span
        Span("t", "3", "2", "api", 0.002, 70.0),  # the api's server span
    ]
    assert call_graph(spans) == {"gw": {"api"}}
    signals = trace_signals(spans)
    assert signals["gw"]["trace.self"].values == (10.0,)
    assert signals["api"]["trace.latency"].values == (70.0,)
    assert signals["api"]["net.gap"].values == (20.0,)
    assert signals["gw"]["net.gap"].values == (20.0,)


def test_a_folder_without_the_layout_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"fault_list\.json"):
        NezhaDataset(tmp_path)


def test_fault_lists_align_on_the_inject_time_string(nezha_dir: Path) -> None:
    day = nezha_dir / "rca_data" / "2023-01-29"
    faults = read_faults(day / "2023-01-29-fault_list.json")
    assert len(faults) == 28
    assert faults[0].at.isoformat() == "2023-01-29T08:43:04+00:00"
    assert faults[0].service == "ts-contacts-service"


def test_the_first_case_has_signals_graph_and_label(nezha_dir: Path) -> None:
    dataset = NezhaDataset(nezha_dir)
    assert len(dataset) == 101
    case = next(iter(dataset.cases()))
    assert case.group == "hipster"
    obs = case.observations
    assert case.root_cause in obs.signals
    assert "checkoutservice" in obs.topology["frontend"]
    assert "CpuUsageRate(%)" in obs.signals["cartservice"]
    assert "net.gap" in obs.signals["cartservice"]
    assert all("Node" not in m for m in obs.signals["cartservice"])
    history = obs.history.signals["cartservice"]["CpuUsageRate(%)"].timestamps
    first = case.fault_time.timestamp() - 300
    assert history
    assert all(not first <= t < obs.end.timestamp() for t in history)


def test_log_records_carry_their_trace_id(tmp_path: Path) -> None:
    path = tmp_path / "08_50_log.csv"
    path.write_text(
        "Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log\n"
        "2023-01-29T08:48:42Z,1674982122425293566,n,ts-travel-service-64469b5b48-25zj6,server,"
        'abc,def,"{""log"":""16:48:42.424 ERROR  t.s.X#1 boom\\n""}"\n',
        encoding="utf-8",
    )
    [record] = read_logs([path], float("-inf"), float("inf"))
    assert record.service == "ts-travel-service"
    assert record.labels == {"trace": "abc"}
    assert record.level.value == "ERROR"


def test_train_ticket_days_learn_log_patterns_from_fault_free_data(nezha_dir: Path) -> None:
    dataset = NezhaDataset(nezha_dir)
    faults = [f for f in dataset.faults if f.day == "2023-01-29"]
    history = dataset._history("2023-01-29", {}, faults)
    assert history.logs
    assert "trace.self" in history.signals["ts-contacts-service"]
    ob = [f for f in dataset.faults if f.day == "2022-08-22"]
    assert not dataset._history("2022-08-22", {}, ob).logs  # Online Boutique: no fault-free logs
    assert NezhaDataset(nezha_dir, patterns=False).patterns is False
