"""The PetShop dataset (Amazon, CLeaR 2024) as root-cause cases.

Layout (``DIR`` may be the dataset root or its ``dataset`` folder)::

    dataset/<scenario>/graph.csv                       adjacency matrix, node names as header and
                                                       index; a 1 in row A, column B: A calls B
    dataset/<scenario>/noissue/metrics.csv             (not read: the issues carry their history)
    dataset/<scenario>/{train,test}/issue_N/metrics.csv
    dataset/<scenario>/{train,test}/issue_N/target.json
        {"target": {"node", "metric", "agg", "timestamp"}, "root_cause": {"node"}}

``metrics.csv`` is wide, at 5-minute granularity, with a three-row header — ``microservice``,
``metric`` (latency, requests, availability), ``statistic`` (Average, Sum, p50, …) — then a
``unix_timestamp`` row and one row per timestamp whose first cell is the unix time. Every column
becomes the series ``<metric>.<statistic>`` of its node. The target node is the symptom: the
candidates are it and the nodes it calls.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from nightowl.domain.signals import Series
from nightowl.errors import InputError
from nightowl_lab.eval.rca.cases import RcaCase

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
    """Every issue of every scenario; the scenario is the case's group.

    Raises ``InputError`` at construction when ``data`` does not have the PetShop layout.
    """

    def __init__(self, data: Path) -> None:
        self.scenarios = _scenarios(data)
        self.issues = [(s, i) for s in self.scenarios for i in _issues(s)]
        if not self.issues:
            raise InputError(
                f"{data}: no issue folders with metrics.csv and target.json; expected {EXPECTED}"
            )

    def __len__(self) -> int:
        return len(self.issues)

    def cases(self) -> Iterator[RcaCase]:
        graphs = {s: read_graph(s / "graph.csv") for s in self.scenarios}
        for scenario, issue in self.issues:
            yield self._case(scenario, issue, graphs[scenario])

    def _case(self, scenario: Path, issue: Path, graph: dict[str, tuple[str, ...]]) -> RcaCase:
        path = issue / "target.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            target, root = raw["target"], raw["root_cause"]["node"]
            at = datetime.fromtimestamp(float(target["timestamp"]), tz=UTC)
            symptom = str(target["node"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: not a PetShop target ({exc})") from None
        return RcaCase(
            name=f"{scenario.name}/{issue.parent.name}/{issue.name}",
            group=scenario.name,
            fault_kind=str(target.get("metric")) if isinstance(target, dict) else None,
            fault_time=at,
            root_cause=str(root),
            symptom=symptom,
            signals=read_metrics(issue / "metrics.csv"),
            graph=graph,
        )
