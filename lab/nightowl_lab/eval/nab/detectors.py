"""The detectors ``nightowl bench nab`` can score, by name, and the candidate families of ``--loo``.

Each detector maps a series to one score in [0, 1] per row. ``null`` and ``perfect`` are NAB's
own reference points (0 and 100 by construction); ``windowed_gaussian`` is NAB's simplest
published baseline; ``nightowl`` is ours (the resonance detector, streaming: it calibrates on
NAB's probationary rows, the history NAB hands every detector, and sees each row once, in order);
``residual`` is the previous default. Nothing else about a series (name, labels, min or max) is
passed, with labelled exceptions that follow NAB's own protocol and receive the file's minimum and
maximum (NAB's ``inputMin``/``inputMax``), a look-ahead a live stream does not have:
``cad_ose``, ``fusion`` and ``resonance_lookahead`` (our resonance detector given the whole-file
range, as ARTime runs in NAB). ``cad_ose_streaming`` is CAD-OSE with a range learned from the
probationary rows instead.

:data:`FAMILIES` lists, per detector, the configurations ``--loo`` chooses among with the scored
category left out; a detector without a family is its own only candidate.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.cad import cad_scores
from nightowl.analysis.anomaly.detector import DetectorSettings, score_series
from nightowl.analysis.anomaly.fusion import fuse
from nightowl.analysis.anomaly.gaussian import gaussian_scores
from nightowl.analysis.anomaly.residual import ResidualSettings, residual_scores
from nightowl.analysis.anomaly.resonance import ResonanceDetector
from nightowl.errors import InputError
from nightowl_lab.eval.nab.corpus import NabSeries
from nightowl_lab.eval.nab.scorer import probation_length

Scores = npt.NDArray[np.float64]
Detector = Callable[[NabSeries], Scores]


def _horizon(series: NabSeries) -> int:
    return int(probation_length(len(series)))


def nightowl_with(settings: DetectorSettings) -> Detector:
    """The default detector with other constants (``horizon`` is set per series)."""

    def detect(series: NabSeries) -> Scores:
        own = settings.model_copy(update={"horizon": _horizon(series)})
        return score_series(series.timestamps, series.values, own)

    return detect


def _residual(series: NabSeries) -> Scores:
    settings = ResidualSettings(horizon=_horizon(series))
    return residual_scores(series.timestamps, series.values, settings)


def _resonance_lookahead(series: NabSeries) -> Scores:
    """The resonance detector with the whole file's range (NAB's protocol, as ARTime runs)."""
    bounds = (float(np.nanmin(series.values)), float(np.nanmax(series.values)))
    detector = ResonanceDetector(
        DetectorSettings(horizon=_horizon(series)).resonance(), bounds=bounds
    )
    return np.array([detector.update(x) for x in series.values.tolist()], dtype=np.float64)


def _cad_ose(series: NabSeries) -> Scores:
    """CAD-OSE as NAB runs it: the *whole* file's value range (a look-ahead), rest n·0.15/5."""
    low, high = float(series.values.min()), float(series.values.max())
    return cad_scores(series.values, low, high, rest=_cad_rest(len(series)))


def _cad_ose_streaming(series: NabSeries) -> Scores:
    """CAD-OSE over the probationary rows' range widened by half its span, values clamped."""
    head = series.values[: max(_horizon(series), 1)]
    low, high = float(np.nanmin(head)), float(np.nanmax(head))
    margin = (high - low) / 2.0
    rest = _cad_rest(len(series))
    return cad_scores(series.values, low - margin, high + margin, rest=rest, clamp=True)


def _fusion(series: NabSeries) -> Scores:
    """The residual detector OR CAD-OSE (NAB protocol, so with the look-ahead range)."""
    return fuse(_residual(series), _cad_ose(series))


def _fusion_streaming(series: NabSeries) -> Scores:
    """The residual detector OR CAD-OSE over a range grown from the points seen so far."""
    return fuse(_residual(series), cad_scores(series.values, rest=_cad_rest(len(series))))


def _cad_rest(rows: int) -> int:
    # NAB's base detector: probationaryPeriod = floor(0.15 n) (no 750 cap), rest = that / 5.
    return max(int(math.floor(0.15 * rows) / 5.0), 1)


def _null(series: NabSeries) -> Scores:
    return np.zeros(len(series))


def _perfect(series: NabSeries) -> Scores:
    """Fires on the first scorable row of every window: NAB's definition of a perfect score."""
    scores = np.zeros(len(series))
    first_scored = int(np.ceil(probation_length(len(series))))
    for first, last in series.windows:
        if last >= first_scored:
            scores[max(first, first_scored)] = 1.0
    return scores


def _windowed_gaussian(series: NabSeries) -> Scores:
    return gaussian_scores(series.values)


DETECTORS: dict[str, Detector] = {
    "nightowl": nightowl_with(DetectorSettings()),
    "residual": _residual,
    "resonance_lookahead": _resonance_lookahead,
    "cad_ose": _cad_ose,
    "cad_ose_streaming": _cad_ose_streaming,
    "fusion": _fusion,
    "fusion_streaming": _fusion_streaming,
    "windowed_gaussian": _windowed_gaussian,
    "null": _null,
    "perfect": _perfect,
}

# The range constants of the resonance detector that were tried: how far to widen the history's
# range and how far beyond a new extreme to widen it, or a soft saturation instead of growth.
# The default is the one that scored best on all local categories.
FAMILIES: dict[str, dict[str, Detector]] = {
    "nightowl": {
        f"margin={margin:g},grow={grow:g}": nightowl_with(
            DetectorSettings(margin=margin, grow=grow)
        )
        for margin in (0.5, 1.0, 1.5, 2.0)
        for grow in (0.25, 0.5)
    }
}


def detector_for(name: str) -> Detector:
    """The detector named ``name``; InputError listing the known ones."""
    try:
        return DETECTORS[name]
    except KeyError:
        known = ", ".join(sorted(DETECTORS))
        raise InputError(f"unknown detector {name!r}: choose one of {known}") from None


def family_of(name: str) -> dict[str, Detector]:
    """The candidates ``--loo`` chooses among for ``name`` (itself alone if it has no family)."""
    return FAMILIES.get(name, {name: detector_for(name)})
