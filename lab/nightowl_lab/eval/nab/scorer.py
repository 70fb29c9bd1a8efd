"""NAB scoring: labelled windows, scaled-sigmoid rewards, the corpus-wide threshold sweep.

This follows the Numenta Anomaly Benchmark v1.1 scorer (Lavin & Ahmad 2015, arXiv 1510.03336;
numenta/NAB ``nab/sweeper.py``, ``nab/optimizer.py`` and ``Runner.normalize``) point for point:

* the first ``min(floor(0.15 n), 750)`` rows of a file are probationary and never scored;
* a row inside a window scores ``tp * S(-(right - i + 1) / width) / S(-1)`` where ``S`` is the
  scaled sigmoid ``2 / (1 + exp(5 x)) - 1``; only the best (earliest) detection of a window counts
  and a window without a detection costs ``-fn``;
* a row outside every window scores ``fp * S(|prev_right - i| / (prev_width - 1))`` relative to
  the closest preceding window, or ``-fp`` when no window precedes it;
* a threshold turns scores into detections (``score >= threshold``); it is chosen per profile
  over the whole corpus, by evaluating every distinct score value (plus 1.1, no detection);
* normalisation: ``100 * (raw - null) / (perfect - null)`` with ``perfect = windows * tp`` and
  ``null`` the raw score of a detector that never fires.

Everything here is pure and vectorised with numpy; it raises ``ValueError`` on inconsistent input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nightowl.domain.base import Model

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PROBATION_PERCENT = 0.15
NO_DETECTION_THRESHOLD = 1.1


class CostMatrix(Model):
    """The weights of one application profile (``config/profiles.json`` of NAB)."""

    # NAB's own key names, so that profiles.json loads as it is.
    tpWeight: float
    fpWeight: float
    fnWeight: float
    tnWeight: float = 1.0


def scaled_sigmoid(position: float | FloatArray) -> FloatArray:
    """NAB's reward curve: 0.98661 at -1 (window start), 0 at the window's right edge, -1 at 3+."""
    x = np.asarray(position, dtype=np.float64)
    value = 2.0 / (1.0 + np.exp(np.clip(5.0 * x, -700.0, 700.0))) - 1.0
    return np.where(x >= 3.0, -1.0, value)


MAX_TP = float(scaled_sigmoid(-1.0))


def probation_length(rows: int) -> float:
    """Rows before this index are probationary (NAB: ``min(floor(0.15 n), 0.15 * 5000)``)."""
    return min(math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000)


@dataclass(frozen=True)
class SweepRows:
    """One file's scorable rows: anomaly score, weighted sweep score and window id (-1: none)."""

    scores: FloatArray
    sweep: FloatArray
    window: IntArray
    windows: int


def sweep_rows(
    scores: Sequence[float] | FloatArray,
    windows: Sequence[tuple[int, int]],
    cost: CostMatrix,
) -> SweepRows:
    """Weight every row of a file as if it were a detection (``Sweeper.calcSweepScore``).

    ``windows`` are inclusive ``(first, last)`` row indices, sorted and disjoint.
    """
    values = np.asarray(scores, dtype=np.float64)
    rows = len(values)
    index = np.arange(rows, dtype=np.float64)
    sweep = np.full(rows, -cost.fpWeight)  # a detection before any window: S(3) = -1
    window_id = np.full(rows, -1, dtype=np.int64)
    previous_right = -1
    for k, (first, last) in enumerate(windows):
        if not 0 <= first <= last < rows or first <= previous_right:
            raise ValueError(f"window {k} ({first}, {last}) is outside the file or overlaps")
        width = float(last - first + 1)
        inside = slice(first, last + 1)
        sweep[inside] = scaled_sigmoid(-(last - index[inside] + 1) / width) * cost.tpWeight / MAX_TP
        window_id[inside] = k
        end = windows[k + 1][0] if k + 1 < len(windows) else rows
        after = slice(last + 1, end)
        # NAB divides by (width - 1); a one-row window would divide by zero there.
        position = np.abs(last - index[after]) / max(width - 1.0, 1.0)
        sweep[after] = scaled_sigmoid(position) * cost.fpWeight
        previous_right = last
    keep = index >= probation_length(rows)
    scored_windows = np.unique(window_id[keep & (window_id >= 0)])
    # Renumber so that only windows with scorable rows exist, as in NAB's score parts.
    remap = np.full(len(windows) + 1, -1, dtype=np.int64)
    remap[scored_windows] = np.arange(len(scored_windows))
    return SweepRows(
        scores=values[keep],
        sweep=sweep[keep],
        window=remap[window_id[keep]],
        windows=len(scored_windows),
    )


@dataclass(frozen=True)
class ThresholdCurve:
    """Raw corpus score at every candidate threshold (descending), as NAB's sweep lists it."""

    thresholds: FloatArray
    scores: FloatArray

    def best(self) -> tuple[float, float]:
        """The (threshold, score) with the highest score; ties go to the higher threshold."""
        i = int(np.argmax(self.scores))
        return float(self.thresholds[i]), float(self.scores[i])

    def at(self, threshold: float) -> float:
        """Raw score when every row with ``score >= threshold`` is a detection."""
        i = int(np.searchsorted(-self.thresholds, -threshold, side="right")) - 1
        return float(self.scores[max(i, 0)])


def _contributions(files: Sequence[SweepRows], cost: CostMatrix) -> tuple[FloatArray, FloatArray]:
    """Per row: its score and how much the corpus score changes when it becomes a detection."""
    all_scores: list[FloatArray] = []
    all_deltas: list[FloatArray] = []
    for rows in files:
        delta = np.where(rows.window < 0, rows.sweep, 0.0)
        for k in range(rows.windows):
            # Only a window's best (earliest) active row counts: walk its rows by descending
            # score and credit each with the rise of the running maximum of their sweep scores.
            inside = np.flatnonzero(rows.window == k)
            ordered = inside[np.argsort(-rows.scores[inside], kind="stable")]
            best = np.maximum.accumulate(rows.sweep[ordered])
            delta[ordered] = np.diff(best, prepend=-cost.fnWeight)
        all_scores.append(rows.scores)
        all_deltas.append(delta)
    if not all_scores:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(all_scores), np.concatenate(all_deltas)


def threshold_curve(files: Sequence[SweepRows], cost: CostMatrix) -> ThresholdCurve:
    """The corpus score at every distinct anomaly score (``Sweeper.calcScoreByThreshold``)."""
    scores, deltas = _contributions(files, cost)
    base = -cost.fnWeight * sum(f.windows for f in files)
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    totals = base + np.cumsum(deltas[order])
    # The score at a threshold includes every row at or above it: keep the last row of a tie.
    last_of_value = np.r_[np.flatnonzero(np.diff(sorted_scores) != 0), len(sorted_scores) - 1]
    last_of_value = last_of_value[last_of_value >= 0] if len(sorted_scores) else last_of_value[:0]
    thresholds = np.r_[NO_DETECTION_THRESHOLD, sorted_scores[last_of_value]]
    curve = np.r_[base, totals[last_of_value]]
    return ThresholdCurve(thresholds=thresholds, scores=curve)


def file_score(rows: SweepRows, cost: CostMatrix, threshold: float) -> float:
    """Raw score of one file at a fixed threshold."""
    active = rows.scores >= threshold
    fp = float(rows.sweep[active & (rows.window < 0)].sum())
    total = fp - cost.fnWeight * rows.windows
    for k in range(rows.windows):
        hits = active & (rows.window == k)
        if hits.any():
            total += float(rows.sweep[hits].max()) + cost.fnWeight
    return total


def normalise(raw: float, null: float, perfect: float) -> float:
    """NAB's final score: 0 for the null detector, 100 for a perfect one."""
    if perfect == null:
        raise ValueError("the corpus has no labelled window: the score is undefined")
    return 100.0 * (raw - null) / (perfect - null)
