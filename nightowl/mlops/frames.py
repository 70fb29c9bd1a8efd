"""Reading a window of a served model's data: batch files (CSV, or Parquet with the ``mlops``
extra) into typed columns.

A column's kind comes from the reference window: numeric when every non-empty reference value
parses as a number, categorical otherwise or when the caller says so (codes such as ``1``/``2``). In the current window a value of a numeric column that
does not parse counts as a null (an upstream change nulls-jump detection then reports).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from nightowl.errors import InputError
from nightowl.mlops.stats import Floats

NULLS = frozenset({"", "na", "nan", "null", "none", "n/a"})
MAX_ROWS = 5_000_000  # a window larger than this is sampled upstream, not read whole


class Kind(StrEnum):
    """How a column is tested."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a window: numbers (NaN for nulls) or category labels (None for nulls)."""

    name: str
    kind: Kind
    numbers: Floats
    labels: tuple[str | None, ...]

    @property
    def size(self) -> int:
        return self.numbers.size if self.kind is Kind.NUMERIC else len(self.labels)

    @property
    def null_rate(self) -> float:
        if self.size == 0:
            return 0.0
        if self.kind is Kind.NUMERIC:
            return float(np.mean(np.isnan(self.numbers)))
        return sum(v is None for v in self.labels) / self.size


Table = dict[str, list[str | None]]


def read_table(path: Path) -> Table:
    """The file's columns as raw text (None for nulls). InputError names what is wrong."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; pass a CSV or Parquet file of the window")
    if path.suffix.lower() in {".parquet", ".pq"}:
        return _read_parquet(path)
    return _read_csv(path)


def _read_csv(path: Path) -> Table:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise InputError(f"{path}: empty file; the first line must name the columns")
        table: Table = {name: [] for name in header}
        for count, row in enumerate(reader, start=2):
            if count > MAX_ROWS + 1:
                raise InputError(f"{path}: more than {MAX_ROWS} rows; sample the window first")
            if len(row) != len(header):
                raise InputError(
                    f"{path}:{count}: {len(row)} fields where the header names {len(header)}"
                )
            for name, value in zip(header, row, strict=True):
                table[name].append(None if value.strip().lower() in NULLS else value)
    return table


def _read_parquet(path: Path) -> Table:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'nightowl[mlops]'") from None
    try:
        data = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:  # a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    if data.num_rows > MAX_ROWS:
        raise InputError(f"{path}: more than {MAX_ROWS} rows; sample the window first")
    return {
        name: [None if v is None else str(v) for v in data.column(name).to_pylist()]
        for name in data.column_names
    }


def _number(text: str | None) -> float:
    if text is None:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _numeric(values: list[str | None]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(not math.isnan(_number(v)) for v in present)


def columns(
    reference: Table, current: Table, categorical: frozenset[str] = frozenset()
) -> list[tuple[Column, Column]]:
    """Pairs of (reference, current) columns for the columns both windows have; the columns
    named in ``categorical`` are categorical even when their values are numbers (codes)."""
    pairs = []
    for name, ref_values in reference.items():
        if name not in current:
            continue
        numeric = name not in categorical and _numeric(ref_values)
        kind = Kind.NUMERIC if numeric else Kind.CATEGORICAL
        pairs.append((_column(name, kind, ref_values), _column(name, kind, current[name])))
    return pairs


def _column(name: str, kind: Kind, values: list[str | None]) -> Column:
    if kind is Kind.NUMERIC:
        numbers = np.array([_number(v) for v in values], dtype=np.float64)
        return Column(name, kind, numbers, ())
    return Column(name, kind, np.empty(0), tuple(values))
