"""Onset error: how long after a labelled window opens does the detector first fire in it?

For the incident evidence a flag is not enough: the diagnosis needs *when* the change began.
Per labelled window with a scorable row (after NAB's probation) and at least one detection in
it (``score >= threshold``), the error is the seconds from the window's first row to the first
detection in the window, and the same as a fraction of the window's duration (NAB centres a
window on the labelled anomaly, so a detection at the anomaly itself is about 0.5 in).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from nightowl.domain.base import Model
from nightowl_lab.eval.nab.corpus import NabCorpus
from nightowl_lab.eval.nab.scorer import probation_length

Scores = npt.NDArray[np.float64]


class OnsetError(Model):
    """Onset errors over the detected windows (seconds, and fractions of the window)."""

    windows: int
    detected: int
    median_seconds: float | None
    p90_seconds: float | None
    median_fraction: float | None


def window_onsets(
    stamps: npt.NDArray[np.float64],
    scores: Scores,
    windows: tuple[tuple[int, int], ...],
    threshold: float,
) -> tuple[int, list[tuple[float, float]]]:
    """Scorable windows of one file, and ``(seconds, fraction)`` of each detected one."""
    first_scored = probation_length(len(scores))
    found: list[tuple[float, float]] = []
    scorable = 0
    for first, last in windows:
        if last < first_scored:
            continue
        scorable += 1
        start = max(first, int(np.ceil(first_scored)))
        hits = np.flatnonzero(scores[start : last + 1] >= threshold)
        if len(hits) == 0:
            continue
        row = start + int(hits[0])
        seconds = float(stamps[row] - stamps[first])
        duration = float(stamps[last] - stamps[first])
        found.append((seconds, seconds / duration if duration > 0 else 0.0))
    return scorable, found


def onset_error(
    corpus: NabCorpus, scores: Mapping[str, Scores], thresholds: Mapping[str, float]
) -> OnsetError:
    """Onset error of every file at its threshold (``thresholds`` maps a series name to it)."""
    total = 0
    errors: list[tuple[float, float]] = []
    for series in corpus:
        scorable, found = window_onsets(
            series.timestamps, scores[series.name], series.windows, thresholds[series.name]
        )
        total += scorable
        errors.extend(found)
    if not errors:
        return OnsetError(
            windows=total, detected=0, median_seconds=None, p90_seconds=None, median_fraction=None
        )
    seconds = np.array([e[0] for e in errors])
    fractions = np.array([e[1] for e in errors])
    return OnsetError(
        windows=total,
        detected=len(errors),
        median_seconds=float(np.median(seconds)),
        p90_seconds=float(np.quantile(seconds, 0.9)),
        median_fraction=float(np.median(fractions)),
    )
