"""The resonance detector's inputs: values placed on levels of a learned range, window shapes.

:class:`Levels` maps a value to one of ``levels + 1`` steps of a range learned from history and
snaps it to the running median level when it is close: the detector then sees "normal" as one
steady level and only departures as change. With ``grow``, a value beyond the range widens it
(by ``grow`` times the new span beyond the value) and the median histogram is re-binned, so a
burst that dwarfs history rescales what follows instead of saturating at the edge.
:func:`haar_shape` is the min-max-scaled Haar wavelet transform of a min-max-scaled window:
the window's shape, independent of its height and size.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class Levels:
    """Place values on the levels of a range; keeps a histogram for the running median.

    Not thread-safe. Never raises on finite input.
    """

    __slots__ = ("_counts", "_grow", "_high", "_levels", "_low", "_n", "_snap", "_soft", "_span")

    def __init__(
        self, low: float, high: float, levels: int, snap: float, *, grow: float | None = None
    ) -> None:
        self._low = low
        self._high = high if high > low else low + 1.0
        self._span = self._high - self._low
        self._levels = levels
        self._snap = snap
        self._grow = grow
        self._soft: tuple[float, float, float] | None = None
        self._counts = np.zeros(levels + 1, dtype=np.float64)
        self._n = 0

    def _widen(self, x: float) -> None:
        assert self._grow is not None
        old_low, old_span = self._low, self._span
        if x > self._high:
            self._high = x + self._grow * (x - self._low)
        if x < self._low:
            self._low = x - self._grow * (self._high - x)
        self._span = self._high - self._low
        centres = old_low + old_span * np.arange(self._levels + 1) / self._levels
        target = np.rint((centres - self._low) / self._span * self._levels).astype(np.int64)
        counts = np.zeros_like(self._counts)
        np.add.at(counts, np.clip(target, 0, self._levels), self._counts)
        self._counts = counts

    def soften(self, low: float, high: float, margin: float) -> None:
        """Map ``[low, high]`` linearly, and beyond it saturate smoothly over ``margin`` spans."""
        self._soft = (low, high, margin)

    def _soft_scale(self, x: float) -> float:
        assert self._soft is not None
        low, high, margin = self._soft
        span = high - low if high > low else 1.0
        width = 1.0 + 2.0 * margin
        edge = margin / width
        if x > high:
            return 1.0 - edge * math.exp(-(x - high) / span / margin)
        if x < low:
            return edge * math.exp(-(low - x) / span / margin)
        return edge + (x - low) / span / width

    def level(self, x: float) -> int:
        """The level of ``x``, clipped to the range (or widening it)."""
        if self._soft is not None:
            return round(self._soft_scale(x) * self._levels)
        if self._grow is not None and not self._low <= x <= self._high:
            self._widen(x)
        scaled = min(max((x - self._low) / self._span, 0.0), 1.0)
        return round(scaled * self._levels)

    def place(self, x: float) -> float:
        """The level of ``x`` in [0, 1], snapped to the running median when within ``snap``."""
        level = self.level(x)
        self._counts[level] += 1
        self._n += 1
        return self.snapped(level)

    def snapped(self, level: int) -> float:
        """``level`` in [0, 1], or the running median level when it is within ``snap`` of it."""
        median = int(np.searchsorted(np.cumsum(self._counts), math.ceil(self._n / 2)))
        value = level / self._levels
        centre = median / self._levels
        return centre if abs(value - centre) < self._snap else value


def _haar_matrix(size: int) -> FloatArray:
    """The orthonormal Haar transform of ``size`` (a power of two) points, full depth."""
    basis = np.eye(size)
    details: list[FloatArray] = []
    length = size
    while length > 1:
        pairs = basis[:length].reshape(length // 2, 2, size)
        details.insert(0, (pairs[:, 0] - pairs[:, 1]) / math.sqrt(2.0))
        basis = (pairs[:, 0] + pairs[:, 1]) / math.sqrt(2.0)
        length //= 2
    return np.vstack([basis[0], *details])


HAAR_8 = _haar_matrix(8)


def _unit(x: FloatArray) -> FloatArray:
    shifted: FloatArray = x - x.min()
    top = float(shifted.max())
    return shifted / top if top > 0 else shifted


def haar_shape(window: FloatArray) -> FloatArray:
    """The shape of a window: Haar coefficients of the scaled window, scaled to [0, 1]."""
    matrix = HAAR_8 if len(window) == 8 else _haar_matrix(len(window))
    return _unit(matrix @ _unit(window))
