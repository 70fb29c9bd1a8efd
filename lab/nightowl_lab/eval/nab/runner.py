"""Running detectors over a NAB corpus and scoring them: the result of ``nightowl bench nab``.

Detectors are registered by name in :data:`DETECTORS`; each maps a series to one score in [0, 1]
per row. ``null`` and ``perfect`` are NAB's own reference points (0 and 100 by construction);
``windowed_gaussian`` is NAB's simplest published baseline; ``nightowl`` is ours. Every detector
receives NAB's probationary length as its horizon, as NAB hands ``probationaryPeriod`` to its own
detectors; nothing else about a series (name, labels, min or max) is passed, with one labelled
exception: ``cad_ose`` and ``fusion`` follow NAB's own protocol and receive the file's minimum
and maximum (NAB's ``inputMin``/``inputMax``), a look-ahead a live stream does not have.
``cad_ose_streaming`` is CAD-OSE with a range learned from the probationary rows instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.cad import cad_scores
from nightowl.analysis.anomaly.detector import DetectorSettings, score_series
from nightowl.analysis.anomaly.fusion import fuse
from nightowl.analysis.anomaly.gaussian import gaussian_scores
from nightowl.domain.base import Model
from nightowl.errors import InputError
from nightowl_lab.eval.nab.corpus import PROFILES, NabCorpus, NabSeries
from nightowl_lab.eval.nab.scorer import (
    file_score,
    normalise,
    probation_length,
    sweep_rows,
    threshold_curve,
)

Scores = npt.NDArray[np.float64]
Detector = Callable[[NabSeries], Scores]


def _nightowl(series: NabSeries) -> Scores:
    horizon = int(probation_length(len(series)))
    return score_series(series.timestamps, series.values, DetectorSettings(horizon=horizon))


def _cad_ose(series: NabSeries) -> Scores:
    """CAD-OSE as NAB runs it: the file's value range, rest ``floor(0.15 n) / 5``.

    The range is the minimum and maximum of the *whole* file (NAB's ``inputMin``/``inputMax``):
    a look-ahead no live stream has. It is how the published 69.9 was obtained.
    """
    low, high = float(series.values.min()), float(series.values.max())
    return cad_scores(series.values, low, high, rest=_cad_rest(len(series)))


def _cad_ose_streaming(series: NabSeries) -> Scores:
    """CAD-OSE with a range a live stream can know: the probationary rows' range, widened.

    The range of the first rows, widened by half its span on each side (later values wander),
    with values beyond it pinned to its edges.
    """
    head = series.values[: max(int(probation_length(len(series))), 1)]
    low, high = float(np.nanmin(head)), float(np.nanmax(head))
    margin = (high - low) / 2.0
    rest = _cad_rest(len(series))
    return cad_scores(series.values, low - margin, high + margin, rest=rest, clamp=True)


def _fusion(series: NabSeries) -> Scores:
    """Our residual detector OR CAD-OSE (NAB protocol, so with the look-ahead range)."""
    return fuse(_nightowl(series), _cad_ose(series))


def _fusion_streaming(series: NabSeries) -> Scores:
    """Our residual detector OR CAD-OSE over a range grown from the points seen so far."""
    cad = cad_scores(series.values, rest=_cad_rest(len(series)))
    return fuse(_nightowl(series), cad)


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
    "nightowl": _nightowl,
    "cad_ose": _cad_ose,
    "cad_ose_streaming": _cad_ose_streaming,
    "fusion": _fusion,
    "fusion_streaming": _fusion_streaming,
    "windowed_gaussian": _windowed_gaussian,
    "null": _null,
    "perfect": _perfect,
}


class ProfileScore(Model):
    """One application profile: the threshold found, the raw scores and the normalised score."""

    profile: str
    threshold: float
    raw: float
    null: float
    perfect: float
    score: float


class SeriesScore(Model):
    """One series' raw contribution per profile (at that profile's threshold)."""

    name: str
    points: int
    windows: int
    detections: int
    raw: dict[str, float]


class NabResult(Model):
    detector: str
    profiles: tuple[ProfileScore, ...]
    series: tuple[SeriesScore, ...]
    points: int
    seconds: float

    @property
    def points_per_second(self) -> float:
        return self.points / self.seconds if self.seconds > 0 else float("inf")

    def score(self, profile: str) -> float:
        return next(p.score for p in self.profiles if p.profile == profile)


def detector_for(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        known = ", ".join(sorted(DETECTORS))
        raise InputError(f"unknown detector {name!r}: choose one of {known}") from None


def run_detector(
    corpus: NabCorpus, detector: Detector, progress: Callable[[NabSeries], None] | None = None
) -> tuple[dict[str, Scores], float]:
    """Every series' scores and the seconds spent in the detector alone."""
    results: dict[str, Scores] = {}
    seconds = 0.0
    for series in corpus:
        started = time.perf_counter()
        scores = np.asarray(detector(series), dtype=np.float64)
        seconds += time.perf_counter() - started
        if scores.shape != (len(series),):
            raise ValueError(f"detector returned {scores.shape} scores for {len(series)} rows")
        results[series.name] = scores
        if progress is not None:
            progress(series)
    return results, seconds


def score_corpus(
    corpus: NabCorpus, name: str, scores: dict[str, Scores], seconds: float
) -> NabResult:
    """Optimise each profile's threshold over the corpus, normalise, keep per-series parts."""
    profiles: list[ProfileScore] = []
    per_series: dict[str, dict[str, float]] = {s.name: {} for s in corpus}
    detections: dict[str, int] = {}
    for profile in PROFILES:
        cost = corpus.profiles[profile]
        rows = [sweep_rows(scores[s.name], s.windows, cost) for s in corpus]
        threshold, raw = threshold_curve(rows, cost).best()
        null_rows = [sweep_rows(np.zeros(len(s)), s.windows, cost) for s in corpus]
        null = threshold_curve(null_rows, cost).best()[1]
        perfect = corpus.windows * cost.tpWeight
        profiles.append(
            ProfileScore(
                profile=profile,
                threshold=threshold,
                raw=raw,
                null=null,
                perfect=perfect,
                score=normalise(raw, null, perfect),
            )
        )
        for series, part in zip(corpus, rows, strict=True):
            per_series[series.name][profile] = file_score(part, cost, threshold)
            if profile == "standard":
                detections[series.name] = int(np.count_nonzero(part.scores >= threshold))
    return NabResult(
        detector=name,
        profiles=tuple(profiles),
        series=tuple(
            SeriesScore(
                name=s.name,
                points=len(s),
                windows=len(s.windows),
                detections=detections[s.name],
                raw=per_series[s.name],
            )
            for s in corpus
        ),
        points=sum(len(s) for s in corpus),
        seconds=seconds,
    )


def run_benchmark(
    corpus: NabCorpus, name: str, progress: Callable[[NabSeries], None] | None = None
) -> NabResult:
    scores, seconds = run_detector(corpus, detector_for(name), progress)
    return score_corpus(corpus, name, scores, seconds)
