"""Nezha's metric files as nightowl series: one CSV per pod, plus per-call-edge latencies.

Timestamps come from the ``Time`` string column, not the ``TimeStamp`` epoch: the string is on the
clock the fault labels use, and at least one pod's epochs are corrupt (years in the future).
Host-level columns (``Node*``) are left out: they belong to every pod on the node, not to a service.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from nightowl.domain.signals import Series

_DEPLOYMENT_POD = re.compile(r"^(?P<name>.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$")
_STATEFUL_POD = re.compile(r"^(?P<name>.+)-\d+$")
_METRIC_FILE = re.compile(r"^(?P<pod>.+)_metric\.csv(\.gz)?$")
_EDGE_FILES = ("source_50", "destination_50")
HOST_PREFIX = "Node"

SignalMap = dict[str, dict[str, Series]]


def service_of_pod(pod: str) -> str:
    """The workload a pod belongs to: its name without the ReplicaSet and pod hashes."""
    for pattern in (_DEPLOYMENT_POD, _STATEFUL_POD):
        match = pattern.match(pod)
        if match:
            return match.group("name")
    return pod


def open_text(path: Path) -> io.TextIOBase:
    """A CSV file, gzip-compressed or not."""
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="")


def find_csv(directory: Path, stem: str) -> Path | None:
    """``stem.csv`` or ``stem.csv.gz`` in ``directory``."""
    for name in (f"{stem}.csv", f"{stem}.csv.gz"):
        if (directory / name).is_file():
            return directory / name
    return None


def parse_time(text: str) -> float:
    """Unix seconds of a ``YYYY-MM-DD HH:MM:SS[...]`` string read as UTC."""
    moment = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return moment.timestamp()


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value


def _rows(path: Path) -> Iterator[list[str]]:
    with open_text(path) as handle:
        yield from csv.reader(handle)


def pod_metric_files(directory: Path) -> dict[str, Path]:
    """Pod name → its metric file."""
    out: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        match = _METRIC_FILE.match(path.name)
        if match:
            out[match.group("pod")] = path
    return out


def load_pod_metrics(directory: Path) -> SignalMap:
    """Service → metric → series from every ``<pod>_metric.csv[.gz]`` (pods of a service pooled)."""
    columns: dict[str, dict[str, tuple[list[float], list[float]]]] = defaultdict(dict)
    for pod, path in pod_metric_files(directory).items():
        rows = _rows(path)
        header = next(rows, [])
        service = service_of_pod(pod)
        wanted = [(i, h) for i, h in enumerate(header) if i >= 3 and not h.startswith(HOST_PREFIX)]
        for row in rows:
            if len(row) != len(header):
                continue
            ts = parse_time(row[0])
            for i, name in wanted:
                stamps, values = columns[service].setdefault(name, ([], []))
                stamps.append(ts)
                values.append(_number(row[i]))
    return {
        service: {name: _series(name, service, s, v) for name, (s, v) in metrics.items()}
        for service, metrics in columns.items()
    }


def _series(name: str, service: str, stamps: list[float], values: list[float]) -> Series:
    pairs = sorted(zip(stamps, values, strict=True))
    return Series(
        metric=name,
        labels={"service": service},
        timestamps=tuple(p[0] for p in pairs),
        values=tuple(p[1] for p in pairs),
    )


def load_dependency(directory: Path, services: set[str]) -> dict[str, set[str]]:
    """Caller → callees from ``dependency.csv`` (edges to things that are not services dropped)."""
    graph: dict[str, set[str]] = defaultdict(set)
    path = find_csv(directory, "dependency")
    if path is None:
        return graph
    rows = _rows(path)
    next(rows, None)
    for row in rows:
        if len(row) >= 2 and row[0] in services and row[1] in services and row[0] != row[1]:
            graph[row[0]].add(row[1])
    return graph


def load_edge_gaps(directory: Path, services: set[str]) -> SignalMap:
    """The network share of each call's latency, as a signal of both ends of the call.

    ``source_50`` is an edge's median latency seen by the caller, ``destination_50`` the same seen
    by the callee; their difference is time on the wire. A delay on a pod's network shows on every
    edge that touches it, so each service gets one pooled ``net.gap`` series over its edges.
    """
    tables = [find_csv(directory, stem) for stem in _EDGE_FILES]
    if tables[0] is None or tables[1] is None:
        return {}
    caller_side, callee_side = (_edge_table(path) for path in tables if path is not None)
    pooled: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for edge, samples in caller_side.items():
        ends = _edge_ends(edge, services)
        if edge not in callee_side or ends is None:
            continue
        server = callee_side[edge]
        for ts, value in samples.items():
            if ts in server and not math.isnan(value) and not math.isnan(server[ts]):
                for service in ends:
                    pooled[service][0].append(ts)
                    pooled[service][1].append(value - server[ts])
    return {
        service: {"net.gap": _series("net.gap", service, s, v)}
        for service, (s, v) in pooled.items()
    }


def _edge_ends(edge: str, services: set[str]) -> tuple[str, str] | None:
    """``caller_callee`` split where both halves are services (names may hold underscores)."""
    for i, char in enumerate(edge):
        if char == "_" and edge[:i] in services and edge[i + 1 :] in services:
            return edge[:i], edge[i + 1 :]
    return None


def _edge_table(path: Path) -> dict[str, dict[float, float]]:
    rows = _rows(path)
    header = next(rows, [])
    table: dict[str, dict[float, float]] = {name: {} for name in header[2:]}
    for row in rows:
        if len(row) != len(header):
            continue
        # Both sides are sampled a few milliseconds apart: align them on the minute.
        minute = 60.0 * round(parse_time(row[0]) / 60.0)
        for name, cell in zip(header[2:], row[2:], strict=True):
            table[name][minute] = _number(cell)
    return table
