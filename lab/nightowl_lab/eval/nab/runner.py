"""Running a detector over a NAB corpus and scoring it: the result of ``nightowl bench nab``.

A run scores the detector three ways: **leave-one-category-out** (:mod:`.loo`: the threshold of
each profile, and with ``family`` the detector's configuration too, chosen with the scored
category left out: the headline), **in-sample** (NAB's own protocol: each profile's threshold
optimised over the whole corpus) and **per category** (the raw standard-profile score of each
category under both). Beside them: the onset error (:mod:`.onsets`) at the standard threshold,
and the detector's speed (wall-clock and CPU seconds spent in the detector alone).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from nightowl.domain.base import Model
from nightowl_lab.eval.nab.corpus import PROFILES, NabCorpus, NabSeries
from nightowl_lab.eval.nab.detectors import Detector, detector_for, family_of
from nightowl_lab.eval.nab.loo import LooResult, category_of, leave_one_category_out
from nightowl_lab.eval.nab.onsets import OnsetError, onset_error
from nightowl_lab.eval.nab.scorer import file_score, normalise, sweep_rows, threshold_curve

Scores = npt.NDArray[np.float64]


class ProfileScore(Model):
    """One application profile: the threshold found, the raw scores and the normalised score."""

    profile: str
    threshold: float
    raw: float
    null: float
    perfect: float
    score: float


class SeriesScore(Model):
    """One series' raw contribution per profile (at that profile's in-sample threshold)."""

    name: str
    points: int
    windows: int
    detections: int
    raw: dict[str, float]


class CategoryScore(Model):
    """One category, standard profile: raw score in-sample and leave-one-out, and normalised.

    ``score``/``loo_score`` are normalised within the category (``None`` without windows).
    """

    category: str
    series: int
    windows: int
    raw: float
    loo_raw: float
    score: float | None
    loo_score: float | None
    candidate: str


class NabResult(Model):
    """One detector's run over a NAB corpus: the score per profile, per series and per category,
    the leave-one-out result, onset errors, and the data points it read per wall and CPU second.
    """

    detector: str
    profiles: tuple[ProfileScore, ...]
    series: tuple[SeriesScore, ...]
    categories: tuple[CategoryScore, ...]
    loo: LooResult
    loo_family: bool
    onsets: dict[str, OnsetError]
    points: int
    seconds: float
    cpu_seconds: float

    @property
    def points_per_second(self) -> float:
        """Data points read per wall-clock second (infinite for a run too fast to time)."""
        return self.points / self.seconds if self.seconds > 0 else float("inf")

    @property
    def points_per_cpu_second(self) -> float:
        """Data points read per CPU second (infinite for a run too fast to time)."""
        return self.points / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")

    def score(self, profile: str) -> float:
        """The normalised NAB score under ``profile`` (``standard``, ``reward_low_FP_rate``,
        ...).
        """
        return next(p.score for p in self.profiles if p.profile == profile)


def run_detector(
    corpus: NabCorpus, detector: Detector, progress: Callable[[NabSeries], None] | None = None
) -> tuple[dict[str, Scores], float, float]:
    """Every series' scores, and the wall-clock and CPU seconds spent in the detector alone."""
    results: dict[str, Scores] = {}
    seconds = cpu = 0.0
    for series in corpus:
        started, started_cpu = time.perf_counter(), time.process_time()
        scores = np.asarray(detector(series), dtype=np.float64)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        if scores.shape != (len(series),):
            raise ValueError(f"detector returned {scores.shape} scores for {len(series)} rows")
        results[series.name] = scores
        if progress is not None:
            progress(series)
    return results, seconds, cpu


def _in_sample(
    corpus: NabCorpus, scores: dict[str, Scores]
) -> tuple[list[ProfileScore], list[SeriesScore]]:
    """NAB's protocol: each profile's threshold optimised over the corpus; per-series parts."""
    profiles: list[ProfileScore] = []
    per_series: dict[str, dict[str, float]] = {s.name: {} for s in corpus}
    detections: dict[str, int] = {}
    for profile in PROFILES:
        cost = corpus.profiles[profile]
        rows = [sweep_rows(scores[s.name], s.windows, cost) for s in corpus]
        threshold, raw = threshold_curve(rows, cost).best()
        null = -cost.fnWeight * sum(r.windows for r in rows)
        perfect = corpus.windows * cost.tpWeight
        score = normalise(raw, null, perfect)
        profiles.append(
            ProfileScore(
                profile=profile,
                threshold=threshold,
                raw=raw,
                null=null,
                perfect=perfect,
                score=score,
            )
        )
        for one, part in zip(corpus, rows, strict=True):
            per_series[one.name][profile] = file_score(part, cost, threshold)
            if profile == "standard":
                detections[one.name] = int(np.count_nonzero(part.scores >= threshold))
    series = [
        SeriesScore(
            name=s.name,
            points=len(s),
            windows=len(s.windows),
            detections=detections[s.name],
            raw=per_series[s.name],
        )
        for s in corpus
    ]
    return profiles, series


def _categories(
    corpus: NabCorpus, series: list[SeriesScore], loo: LooResult
) -> list[CategoryScore]:
    cost = corpus.profiles["standard"]
    out: list[CategoryScore] = []
    for fold in loo.folds:
        members = [s for s in series if category_of(s.name) == fold.category]
        windows = sum(s.windows for s in members)
        raw = sum(s.raw["standard"] for s in members)
        null, perfect = -cost.fnWeight * windows, cost.tpWeight * windows
        loo_raw = fold.raw["standard"]
        out.append(
            CategoryScore(
                category=fold.category,
                series=len(members),
                windows=windows,
                raw=raw,
                loo_raw=loo_raw,
                candidate=fold.candidate,
                score=normalise(raw, null, perfect) if windows else None,
                loo_score=normalise(loo_raw, null, perfect) if windows else None,
            )
        )
    return out


def run_benchmark(
    corpus: NabCorpus,
    name: str,
    progress: Callable[[NabSeries], None] | None = None,
    *,
    family: bool = False,
) -> NabResult:
    """Run ``name`` (and with ``family`` its candidate configurations) and score every way."""
    scores, seconds, cpu = run_detector(corpus, detector_for(name), progress)
    candidates = {name: scores}
    if family:
        candidates = {
            label: run_detector(corpus, detector, progress)[0]
            for label, detector in family_of(name).items()
        }
    profiles, series = _in_sample(corpus, scores)
    loo = leave_one_category_out(corpus, candidates)
    standard = next(p.threshold for p in profiles if p.profile == "standard")
    in_sample = onset_error(corpus, scores, {s.name: standard for s in corpus})
    held = {s.name: loo.fold(category_of(s.name)) for s in corpus}
    loo_scores = {s.name: candidates[held[s.name].candidate][s.name] for s in corpus}
    loo_onsets = onset_error(
        corpus, loo_scores, {n: f.thresholds["standard"] for n, f in held.items()}
    )
    return NabResult(
        detector=name,
        profiles=tuple(profiles),
        series=tuple(series),
        categories=tuple(_categories(corpus, series, loo)),
        loo=loo,
        loo_family=family,
        onsets={"loo": loo_onsets, "in_sample": in_sample},
        points=sum(len(s) for s in corpus),
        seconds=seconds,
        cpu_seconds=cpu,
    )
