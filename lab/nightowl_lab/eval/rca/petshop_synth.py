"""A small synthetic dataset in PetShop's public layout, to test the loader and the ranking.

Not PetShop data: a seven-node call tree with seasonal traffic and noisy latency. As in PetShop,
``noissue/`` holds two days of normal operation and each issue file only five points, the alarm at
the third. Each issue slows down (or makes unavailable) one node; the fault reaches every node that
calls it, directly or not, and the target is the entry node's latency (or availability).
Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

GRAPH: dict[str, tuple[str, ...]] = {
    "frontend": ("search", "cart", "checkout"),
    "search": ("catalog",),
    "cart": ("database",),
    "checkout": ("payment", "database"),
    "catalog": ("database",),
    "payment": (),
    "database": (),
}
STEP = 300
HISTORY = 2  # points before the alarm in an issue file
AFTER = 3
NORMAL = 576  # two days of 5-minute points of normal operation
STATISTICS = (("latency", "Average"), ("latency", "p90"), ("requests", "Sum"))
AVAILABILITY = ("availability", "Average")


def _ancestors(node: str) -> set[str]:
    out = {node}
    changed = True
    while changed:
        changed = False
        for caller, callees in GRAPH.items():
            if caller not in out and out & set(callees):
                out.add(caller)
                changed = True
    return out


def _write_graph(path: Path) -> None:
    names = list(GRAPH)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", *names])
        for caller in names:
            writer.writerow([caller, *(1 if n in GRAPH[caller] else 0 for n in names)])


def _columns(
    rng: np.random.Generator, root: str, slow: bool, n: int, at: int
) -> dict[tuple[str, ...], np.ndarray]:
    """Every (node, metric, statistic) column; the fault starts at index ``at`` (never when
    ``at`` is 0: normal operation)."""
    t = np.arange(n)
    traffic = 100.0 * (1.3 + np.sin(2 * np.pi * t / 288.0)) * rng.lognormal(0.0, 0.05, n)
    hit = np.zeros(n)
    if at > 0:
        hit[at:] = 1.0
    affected = _ancestors(root)
    out: dict[tuple[str, ...], np.ndarray] = {}
    for node in GRAPH:
        base = 5.0 + 35.0 * ((sum(map(ord, node)) * 7919) % 1000) / 1000.0  # the same every file
        latency = base * rng.lognormal(0.0, 0.08, n)
        availability = 100.0 - rng.exponential(0.02, n)
        if node in affected and slow:
            latency = latency + hit * rng.uniform(80.0, 200.0) * (2.0 if node == root else 1.0)
        if node in affected and not slow:
            availability = availability - hit * rng.uniform(10.0, 30.0)
        out[(node, "latency", "Average")] = latency
        out[(node, "latency", "p90")] = latency * 1.8 * rng.lognormal(0.0, 0.05, n)
        out[(node, "requests", "Sum")] = traffic * rng.lognormal(0.0, 0.05, n)
        out[(node, *AVAILABILITY)] = availability
    return out


def _write_metrics(path: Path, start: int, columns: dict[tuple[str, ...], np.ndarray]) -> None:
    keys = list(columns)
    n = len(next(iter(columns.values())))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for level, name in enumerate(("microservice", "metric", "statistic")):
            writer.writerow([name, *(k[level] for k in keys)])
        writer.writerow(["unix_timestamp", *([""] * len(keys))])
        for i in range(n):
            writer.writerow([start + i * STEP, *(f"{columns[k][i]:.4f}" for k in keys)])


def write_synthetic(
    root: Path,
    *,
    scenarios: tuple[str, ...] = ("low_traffic", "high_traffic"),
    issues: int = 4,
    seed: int = 0,
) -> Path:
    """Write ``root/dataset/<scenario>/...`` and return ``root``."""
    rng = np.random.default_rng(seed)
    nodes = list(GRAPH)
    for s_index, scenario in enumerate(scenarios):
        folder = root / "dataset" / scenario
        folder.mkdir(parents=True, exist_ok=True)
        _write_graph(folder / "graph.csv")
        (folder / "noissue").mkdir(parents=True, exist_ok=True)
        start = 1_600_000_000 + s_index * 86_400 * 4
        _write_metrics(
            folder / "noissue" / "metrics.csv", start, _columns(rng, nodes[0], True, NORMAL, 0)
        )
        for i in range(issues):
            cause = nodes[(i + s_index) % len(nodes)]
            slow = i % 3 != 2
            start = 1_700_000_000 + (s_index * issues + i) * 86_400
            issue = folder / ("train" if i % 2 == 0 else "test") / f"issue_{i}"
            issue.mkdir(parents=True, exist_ok=True)
            _write_metrics(
                issue / "metrics.csv", start, _columns(rng, cause, slow, HISTORY + AFTER, HISTORY)
            )
            target = {
                "target": {
                    "node": "frontend",
                    "metric": "latency" if slow else "availability",
                    "agg": "p90" if slow else "Average",
                    "timestamp": start + HISTORY * STEP,
                },
                "root_cause": {"node": cause},
            }
            (issue / "target.json").write_text(json.dumps(target), encoding="utf-8")
    return root
