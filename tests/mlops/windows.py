"""Synthetic windows of a served model's data for the drift tests: a seeded generator, so every
run sees the same rows, written as CSV the way a serving layer would."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from nightowl.mlops.frames import Table

COLUMNS = ("age", "income", "height_cm", "plan", "score")


def window(seed: int, rows: int = 2000) -> dict[str, list[object]]:
    rng = np.random.default_rng(seed)
    return {
        "age": list(rng.normal(40, 12, rows).round(1)),
        "income": list(rng.lognormal(10, 0.5, rows).round(2)),
        "height_cm": list(rng.normal(170, 10, rows).round(1)),
        "plan": list(rng.choice(["free", "pro", "team"], rows, p=[0.6, 0.3, 0.1])),
        "score": list(rng.uniform(0, 1, rows).round(4)),
    }


def as_table(data: dict[str, list[object]]) -> Table:
    return {k: [None if v is None else str(v) for v in vs] for k, vs in data.items()}


def write(path: Path, data: dict[str, list[object]]) -> Path:
    names = list(data)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(names)
        for row in zip(*(data[n] for n in names), strict=True):
            out.writerow(["" if v is None else v for v in row])
    return path
