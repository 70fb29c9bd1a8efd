"""The resonance detector: novelty of the recent shape of a metric, against what history taught.

The idea is ARTime's (M. Hampton, NAB 2021: adaptive resonance on short windows of a
down-sampled stream, with vigilance adapted online), re-implemented here from its description,
with one change that matters for production: **no look-ahead**. ARTime (like every NAB entry)
normalises by the minimum and maximum of the whole file; here the value range is learned from
the calibration history alone (the points before the window: NAB's probationary period, or
days read from the metrics backend), widened by ``margin`` spans on each side; a later value
beyond it widens it again (to ``grow`` spans past the new extreme), so a burst that dwarfs the
history rescales what follows, as the whole-file range would have, but only from then on.

Per point, O(1) amortised:

1. **Down-sampling**: ``step = horizon / 104`` points become one value (about 104 per horizon,
   so the same time scale on a 1-minute and a 1-hour series): the block's extreme farthest from
   a running mean, unless it is within 10 % of the block mean (then the mean). Spikes survive.
2. **Levels**: the value is placed on 80 levels of the learned range, and snapped to the running
   median level when within 6 of them (small wobbles around normal are not news).
3. **Features**: the last 8 levels, and the Haar wavelet transform of the same 8 after min-max
   scaling (the *shape*, whatever its size), in [0, 1].
4. **Resonance** (:class:`~nightowl.analysis.anomaly.art.FuzzyArt`): the feature vector either
   resonates with a known category or starts a new cluster: that is the anomaly. The vigilance is
   first set from the calibration history (how alike its windows are), then follows the stream:
   up slowly towards the running mean similarity, down when inputs keep failing it.
5. **Masking**: after a novelty, or after the vigilance moved, new clusters are not reported until
   12 quiet steps passed, unless the match is clearly worse than the last reported one.
6. **Score**: how far the match fell below both vigilances, plus how badly the present level fits
   (``0.35 ub + 0.65 lb + 1.5 (1 - energy)``, capped at 1). Every other point scores 0.

The score is emitted on the point that completes a block; nothing is revised later.
Not thread-safe: one instance per stream.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.art import FuzzyArt, Match
from nightowl.analysis.anomaly.resonance_features import Levels, haar_shape
from nightowl.domain.base import Model

FloatArray = npt.NDArray[np.float64]


class ResonanceSettings(Model):
    """The detector's constants; ``horizon`` (points of calibration history) is the only scale.

    ``blocks``, ``window``, ``levels``, ``snap``, ``rho`` and ``mask`` are ARTime's published
    constants, unchanged. ``margin`` and ``grow`` (``None``: clip at the range instead) set the
    range; ``soft`` instead maps the history's range linearly and saturates smoothly beyond it
    over ``margin`` spans (no growth). Those three were chosen leave-one-category-out.
    """

    horizon: int = 750
    blocks: int = 104
    window: int = 8
    levels: int = 80
    snap: float = 0.075
    margin: float = 1.0
    grow: float | None = 0.25
    soft: bool = False
    rho: float = 0.8
    mask: int = 12


class ResonanceDetector:
    """Stream values through :meth:`update`; each call returns the point's score in [0, 1]."""

    def __init__(
        self,
        settings: ResonanceSettings | None = None,
        *,
        bounds: tuple[float, float] | None = None,
    ) -> None:
        s = settings or ResonanceSettings()
        self._s = s
        self._bounds = bounds
        self.step = max(1, s.horizon // s.blocks)
        self.calibration = max(s.horizon // self.step, s.window + 2)
        self._block: list[float] = []
        self._mean: float | None = None
        self._history: list[float] = []  # the calibration blocks, until calibrated
        self._levels: Levels | None = None
        self._recent: deque[float] = deque(maxlen=s.window)
        self._art = FuzzyArt(2 * s.window)
        self._vigilance = _Vigilance(s, self.calibration)
        self._i = 0

    @property
    def calibrated(self) -> bool:
        return self._levels is not None

    def update(self, x: float) -> float:
        """Score one point (NaN: skipped, 0)."""
        if x != x:
            return 0.0
        self._block.append(x)
        if len(self._block) < self.step:
            return 0.0
        value = self._downsample()
        if self._levels is None:
            self._history.append(value)
            if len(self._history) >= self.calibration:
                self._calibrate()
            return 0.0
        return self._detect(self._features(self._levels.place(value)))

    def _downsample(self) -> float:
        block = np.asarray(self._block)
        self._block.clear()
        mean = float(block.mean())
        self._mean = mean if self._mean is None else (self._mean + mean) / 2.0
        high, low = float(block.max()), float(block.min())
        value = low if abs(low - self._mean) > abs(high - self._mean) else high
        return mean if abs(value - mean) < 0.1 * abs(mean) else value

    def _features(self, level: float) -> FloatArray:
        self._recent.append(level)
        window = self._s.window
        if len(self._recent) < window:
            return np.zeros(2 * window)
        recent = np.fromiter(self._recent, dtype=np.float64, count=window)
        return np.concatenate([haar_shape(recent), recent])

    def _calibrate(self) -> None:
        s = self._s
        history = np.asarray(self._history)
        self._history = []
        low, high = float(history.min()), float(history.max())
        span = high - low if high > low else max(abs(high), 1.0)
        low, high = low - s.margin * span, high + s.margin * span
        if self._bounds is not None:  # a range given by the caller (NAB's look-ahead protocol)
            low, high = self._bounds
        self._levels = Levels(low, high, s.levels, s.snap, grow=s.grow)
        if s.soft and self._bounds is None:
            self._levels.soften(float(history.min()), float(history.max()), s.margin)
        features = np.array([self._features(self._levels.place(v)) for v in history])
        rho = _initial_rho(features[s.window - 1 :], s.rho, self.calibration)
        self._art.rho_lb = self._art.rho_ub = rho
        for f in features:
            self._detect(f)

    def _detect(self, features: FloatArray) -> float:
        self._i += 1
        learn = self._i >= self._s.window
        match = self._art.train(features, learn=learn)
        return self._vigilance.judge(self._i, match.novel or not learn, match, self._art)


class _Vigilance:
    """ARTime's bookkeeping around the ART: masking, reported novelties, vigilance updates."""

    def __init__(self, s: ResonanceSettings, calibration: int) -> None:
        self._mask = s.mask
        self._trend = calibration
        self._last_at = 0
        self._last_similarity = 0.0
        self._last_update = 0
        self._masked = False
        self._quiet = 0
        self._reported: list[float] = []
        self._total = 0.0
        self._count = 0
        self._recent: deque[float] = deque(
            [1.0] * (calibration // 2 + 1), maxlen=calibration // 2 + 1
        )
        self._deficits: deque[float] = deque([0.0] * (calibration + 1), maxlen=calibration + 1)

    def judge(self, i: int, novel: bool, match: Match, art: FuzzyArt) -> float:
        since = i - self._last_at
        update_after = since == self._mask
        update_trend = i - self._last_update >= self._trend // 2
        in_mask = since <= self._mask
        if i > self._trend + self._mask and self._masked and self._quiet >= self._mask:
            self._masked = False
        self._quiet = 0 if novel else self._quiet + 1
        sim = match.similarity
        self._total += sim
        self._count += 1
        self._recent.append(sim)
        self._deficits.append(art.rho_ub - sim)
        if since < self._mask and self._reported and sim < self._reported[-1]:
            self._reported[-1] = sim
        scale = 0.90 if in_mask else 0.70
        below_last = sim < self._last_similarity * scale
        score = 0.0
        if i > self._trend and novel and (not (self._masked or in_mask) or below_last):
            score = _confidence(sim, match.energy, art)
            self._reported.append(sim)
            self._last_similarity = sim
            self._last_at = i
        self._masked = self._masked or novel
        if i > self._trend and (update_after or update_trend):
            self._update(i, art)
        return score

    def _update(self, i: int, art: FuzzyArt) -> None:
        lowest = min(self._recent)
        upper = min(0.97, self._total / self._count)
        lower = art.rho_lb
        if lower <= lowest:
            lower += (lowest - lower) * 0.19
        else:
            deficits = [min(0.37, d) for d in self._deficits if d > 0.05]
            fall = float(np.mean(deficits)) if deficits and i > 2 * self._trend else 0.0
            lower -= max(0.01, fall) / 2.0
            if self._reported:
                lower = max(float(np.mean(self._reported)), lower)
        art.rho_lb, art.rho_ub = min(upper, lower), upper
        self._last_update = i
        self._masked = True


def _confidence(similarity: float, energy: float, art: FuzzyArt) -> float:
    gap = 1.0 - min(0.999, similarity)
    upper = (gap - (1.0 - art.rho_ub)) / gap
    lower = (gap - (1.0 - art.rho_lb)) / gap
    return min(1.0, 0.35 * upper + 0.65 * lower + 1.5 * (1.0 - energy))


def _initial_rho(features: FloatArray, rho: float, calibration: int) -> float:
    """The mean similarity a fresh ART finds in the calibration windows, most typical last."""
    if len(features) < 2:
        return rho
    norms = np.linalg.norm(features, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    cosine = (features @ features.T) / np.outer(safe, safe)
    zero = norms == 0
    cosine[zero, :] = (1.0 - norms)[None, :].repeat(int(zero.sum()), axis=0)
    cosine[:, zero] = (1.0 - norms)[:, None].repeat(int(zero.sum()), axis=1)
    np.fill_diagonal(cosine, 1.0)
    order = np.argsort(cosine.sum(axis=0), kind="stable")
    art = FuzzyArt(features.shape[1], rho=rho)
    similarities = [0.0] + [art.train(f).similarity for f in features[order][1:]]
    start = max(calibration // 2 - 1, 0)
    return float(np.mean(similarities[start:])) if start < len(similarities) else rho
