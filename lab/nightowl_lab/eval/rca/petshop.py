"""The PetShop dataset (Amazon, CLeaR 2024) as root-cause cases.

Layout (``DIR`` may be the dataset root or its ``dataset`` folder)::

    dataset/<scenario>/graph.csv                       adjacency matrix, node names as header and
                                                       index; a 1 in row A, column B: A calls B
    dataset/<scenario>/noissue/metrics.csv             normal operation: the history
    dataset/<scenario>/{train,test}/issue_N/metrics.csv
    dataset/<scenario>/{train,test}/issue_N/target.json
        {"target": {"node", "metric", "agg", "timestamp"}, "root_cause": {"node"}}

``metrics.csv`` is wide, at 5-minute granularity, with a three-row header — ``microservice``,
``metric`` (latency, requests, availability), ``statistic`` (Average, Sum, p50, …) — then a
``unix_timestamp`` row and one row per timestamp whose first cell is the unix time. Every column
becomes the series ``<metric>.<statistic>`` of its node. An issue file holds only about five
points around the issue, so each signal's normal behaviour is learnt from ``noissue/``: it is the
history of the case's ``Observations``. The target node is the symptom and ``<metric>.<agg>`` its
metric: the candidates are it and the nodes it calls.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from nightowl.domain.signals import Series
from nightowl.errors import InputError
from nightowl_lab.eval.rca.cases import RcaCase
from nightowl_lab.eval.rca.petshop_normal import (
    SignalMap,
    normal_slices,
    observations,
    read_target,
    slice_cases,
)

SPLITS = ("train", "test")
EXPECTED = (
    "a PetShop dataset: dataset/<scenario>/graph.csv and "
    "dataset/<scenario>/{train,test}/issue_N/{metrics.csv,target.json}"
)
HEADER_ROWS = 3


def _scenarios(data: Path) -> list[Path]:
    for root in (data / "dataset", data):
        if root.is_dir():
            found = sorted(d for d in root.iterdir() if (d / "graph.csv").is_file())
            if found:
                return found
    raise InputError(f"{data}: not {EXPECTED}")


def read_graph(path: Path) -> dict[str, tuple[str, ...]]:
    """Caller → callees from an adjacency matrix with node names as header and index."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        names = rows[0][1:]
        graph: dict[str, tuple[str, ...]] = {}
        for row in rows[1:]:
            if not row:
                continue
            callees = [n for n, cell in zip(names, row[1:], strict=False) if _number(cell) > 0.0]
            graph[row[0]] = tuple(c for c in callees if c != row[0])
    except (OSError, IndexError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not an adjacency matrix ({exc})") from None
    return graph


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        return math.nan
    return value


def read_history(scenario: Path) -> dict[str, dict[str, Series]]:
    """The scenario's normal operation (``noissue/metrics.csv``), or nothing without one."""
    path = scenario / "noissue" / "metrics.csv"
    return read_metrics(path) if path.is_file() else {}


def read_metrics(path: Path) -> dict[str, dict[str, Series]]:
    """Node → ``<metric>.<statistic>`` → series, from a wide metrics file."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    if len(rows) <= HEADER_ROWS:
        raise InputError(f"{path}: expected a three-row header (microservice, metric, statistic)")
    nodes, metrics, stats = (rows[i][1:] for i in range(HEADER_ROWS))
    columns: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for row in rows[HEADER_ROWS:]:
        stamp = _number(row[0]) if row else math.nan
        if math.isnan(stamp):
            continue  # the ``unix_timestamp`` row names the index
        for node, metric, stat, cell in zip(nodes, metrics, stats, row[1:], strict=False):
            stamps, values = columns[(node, f"{metric}.{stat}")]
            stamps.append(stamp)
            values.append(_number(cell))
    out: dict[str, dict[str, Series]] = defaultdict(dict)
    for (node, name), (stamps, values) in columns.items():
        pairs = sorted(zip(stamps, values, strict=True))
        out[node][name] = Series(
            metric=name,
            labels={"service": node},
            timestamps=tuple(p[0] for p in pairs),
            values=tuple(p[1] for p in pairs),
        )
    return dict(out)


def _issues(scenario: Path) -> list[Path]:
    return [
        issue
        for split in SPLITS
        if (scenario / split).is_dir()
        for issue in sorted((scenario / split).iterdir())
        if (issue / "target.json").is_file() and (issue / "metrics.csv").is_file()
    ]


class PetShopDataset:
    """Every issue of every scenario (the scenario is the case's group), against a baseline
    learnt from the scenario's ``noissue/`` normal operation; with ``normal=True`` also slices of
    that normal operation, where the right answer is "no root cause" (``petshop_normal``).

    Raises ``InputError`` at construction when ``data`` does not have the PetShop layout.
    """

    def __init__(self, data: Path, *, normal: bool = True) -> None:
        self.scenarios = _scenarios(data)
        self.issues = [(s, i) for s in self.scenarios for i in _issues(s)]
        if not self.issues:
            raise InputError(
                f"{data}: no issue folders with metrics.csv and target.json; expected {EXPECTED}"
            )
        self.normal = normal
        self._slices = {
            s: normal_slices(s, self._targets(s)) if normal else [] for s in self.scenarios
        }

    def __len__(self) -> int:
        return len(self.issues) + sum(len(v) for v in self._slices.values())

    def _targets(self, scenario: Path) -> list[tuple[str, str]]:
        """The (node, metric) pairs the scenario's alarms fired on."""
        found = {
            (t.symptom, t.signal)
            for s, issue in self.issues
            if s == scenario
            for t in (read_target(issue / "target.json"),)
        }
        return sorted(found)

    def cases(self) -> Iterator[RcaCase]:
        for scenario in self.scenarios:
            graph = read_graph(scenario / "graph.csv")
            history = read_history(scenario)
            for s, issue in self.issues:
                if s == scenario:
                    yield self._case(scenario, issue, graph, history)
            yield from slice_cases(scenario, graph, history, self._slices[scenario])

    def _case(
        self, scenario: Path, issue: Path, graph: dict[str, tuple[str, ...]], history: SignalMap
    ) -> RcaCase:
        target = read_target(issue / "target.json")
        signals = read_metrics(issue / "metrics.csv")
        return RcaCase(
            name=f"{scenario.name}/{issue.parent.name}/{issue.name}",
            group=scenario.name,
            fault_kind=target.metric,
            fault_time=target.at,
            root_cause=target.root_cause,
            symptom_metric=target.signal,
            observations=observations(target.symptom, graph, signals, history, target.at),
        )
