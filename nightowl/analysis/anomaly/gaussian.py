"""The windowed Gaussian baseline: a z-score against the last ``window`` points.

NAB's simplest published comparison (39.6 standard on the full corpus). It is kept as a yardstick
for the main detector, not for production use: it ignores seasonality, trends and heavy tails.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

WINDOW = 1000


class WindowedGaussian:
    """Running mean and variance over a sliding window; score ``erf(|z| / sqrt 2)``.

    Not thread-safe; O(1) per point with a bounded deque.
    """

    __slots__ = ("_sum", "_sum_sq", "_window", "_xs")

    def __init__(self, window: int = WINDOW) -> None:
        self._window = window
        self._xs: deque[float] = deque()
        self._sum = 0.0
        self._sum_sq = 0.0

    def update(self, x: float) -> float:
        score = 0.0
        n = len(self._xs)
        if n > 1:
            mean = self._sum / n
            variance = max(self._sum_sq / n - mean * mean, 0.0)
            std = math.sqrt(variance) or 1e-6
            score = math.erf(abs(x - mean) / std / math.sqrt(2.0))
        self._xs.append(x)
        self._sum += x
        self._sum_sq += x * x
        if len(self._xs) > self._window:
            old = self._xs.popleft()
            self._sum -= old
            self._sum_sq -= old * old
        return score


def gaussian_scores(values: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Batch helper: the windowed Gaussian score of every point."""
    model = WindowedGaussian()
    points = np.asarray(values, dtype=np.float64).tolist()
    return np.asarray([model.update(v) for v in points], dtype=np.float64)
