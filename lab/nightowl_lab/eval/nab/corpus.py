"""Loading a NAB corpus: the series under ``data/``, their windows and the scoring profiles.

The layout is NAB's own: ``DIR/data/<category>/<name>.csv`` (``timestamp,value``),
``DIR/labels/combined_windows.json`` (``{"<category>/<name>.csv": [[start, end], ...]}``) and
``DIR/config/profiles.json``. Only the series present under ``data/`` and listed in the labels are
loaded, so a partial copy of the corpus scores what it holds. Every problem is an ``InputError``
that names the file and says what to do.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from nightowl.errors import InputError
from nightowl_lab.eval.nab.scorer import CostMatrix

FloatArray = npt.NDArray[np.float64]

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


@dataclass(frozen=True)
class NabSeries:
    """One labelled series: unix timestamps, values and inclusive window row ranges."""

    name: str
    timestamps: FloatArray
    values: FloatArray
    windows: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class NabCorpus:
    """The series of a corpus (sorted by name) and the cost matrix of every profile."""

    series: tuple[NabSeries, ...]
    profiles: dict[str, CostMatrix]

    def __iter__(self) -> Iterator[NabSeries]:
        return iter(self.series)

    @property
    def windows(self) -> int:
        """How many labelled anomaly windows the corpus holds."""
        return sum(len(s.windows) for s in self.series)


def _timestamp(text: str) -> float:
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _read_json(path: Path) -> object:
    if not path.is_file():
        raise InputError(f"{path} is missing: point --nab-dir at a copy of the NAB repository")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"{path} is not readable JSON: {err}") from err


def read_series(path: Path) -> tuple[FloatArray, FloatArray]:
    """Read a NAB CSV (``timestamp,value`` with a header) into unix seconds and values."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        stamps = np.array([_timestamp(r[0]) for r in rows[1:]], dtype=np.float64)
        values = np.array([float(r[1]) for r in rows[1:]], dtype=np.float64)
    except (OSError, ValueError, IndexError) as err:
        raise InputError(f"{path} is not a NAB series (timestamp,value): {err}") from err
    if len(values) == 0:
        raise InputError(f"{path} holds no rows")
    return stamps, values


def _window_rows(stamps: FloatArray, limits: object, where: str) -> tuple[tuple[int, int], ...]:
    """Turn ``[[start, end], ...]`` timestamps into inclusive row ranges of the series."""
    if not isinstance(limits, list):
        raise InputError(f"{where}: expected a list of [start, end] pairs")
    rows: list[tuple[int, int]] = []
    for pair in limits:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise InputError(f"{where}: a window is not a [start, end] pair: {pair!r}")
        try:
            start, end = _timestamp(str(pair[0])), _timestamp(str(pair[1]))
        except ValueError as err:
            raise InputError(f"{where}: bad window timestamp: {err}") from err
        first = int(np.searchsorted(stamps, start, side="left"))
        last = int(np.searchsorted(stamps, end, side="right")) - 1
        if first > last:
            raise InputError(f"{where}: window {pair!r} holds no row of the series")
        rows.append((first, last))
    return tuple(sorted(rows))


def load_profiles(nab_dir: Path) -> dict[str, CostMatrix]:
    """NAB's cost matrix of each application profile; InputError when ``profiles.json`` is
    malformed.
    """
    raw = _read_json(nab_dir / "config" / "profiles.json")
    if not isinstance(raw, dict):
        raise InputError(f"{nab_dir / 'config' / 'profiles.json'}: expected an object")
    try:
        profiles = {name: CostMatrix.model_validate(raw[name]["CostMatrix"]) for name in PROFILES}
    except (KeyError, TypeError, ValidationError) as err:
        raise InputError(
            f"{nab_dir}/config/profiles.json lacks a profile's CostMatrix: {err}"
        ) from err
    return profiles


def load_corpus(nab_dir: Path) -> NabCorpus:
    """Load every labelled series present under ``nab_dir/data``."""
    data_dir = nab_dir / "data"
    if not data_dir.is_dir():
        raise InputError(f"{data_dir} is not a directory: point --nab-dir at a NAB checkout")
    labels = _read_json(nab_dir / "labels" / "combined_windows.json")
    if not isinstance(labels, dict):
        raise InputError(f"{nab_dir}/labels/combined_windows.json: expected an object")
    series: list[NabSeries] = []
    for name in sorted(labels):
        path = data_dir / name
        if not path.is_file():
            continue
        stamps, values = read_series(path)
        windows = _window_rows(stamps, labels[name], f"combined_windows.json[{name!r}]")
        series.append(NabSeries(name, stamps, values, windows))
    if not series:
        raise InputError(f"no labelled series found under {data_dir}")
    return NabCorpus(series=tuple(series), profiles=load_profiles(nab_dir))
