"""Streaming tail model: how surprising is a value, given every value the stream has shown so far.

The model follows the peaks-over-threshold method of extreme value theory (Siffer et al., KDD 2017,
"Anomaly detection in streams with extreme value theory"), with O(1) updates:

* a high quantile ``q`` of the statistic (``1 - beta``) is tracked by stochastic approximation;
* the excesses over ``q`` follow a generalised Pareto distribution whose shape and scale come from
  the exponentially weighted first two moments of the excesses (method of moments);
* the surprise of ``u`` is ``-ln P(U >= u)``: 0 below ``q``, ``-ln beta`` at ``q``, then the GPD tail.

Because the surprise is a tail probability of the stream's own history, it is comparable across
streams of any unit, noise level or tail weight: that is what lets one threshold serve all series.
"""

from __future__ import annotations

import math


class TailModel:
    """Online generalised-Pareto tail of a non-negative statistic; ``update`` returns ``-ln p``.

    Not thread-safe: one instance per stream. ``update`` never raises on finite input.
    """

    __slots__ = ("_beta", "_buffer", "_log_beta", "_m1", "_m2", "_q", "_rate", "_step", "_warmup")

    def __init__(self, *, beta: float = 0.05, rate: float = 0.02, warmup: int = 100) -> None:
        if not 0.0 < beta < 1.0:
            raise ValueError("beta must lie in (0, 1)")
        self._beta = beta
        self._log_beta = math.log(beta)
        self._rate = rate
        self._warmup = max(warmup, 2)
        self._buffer: list[float] | None = []
        self._q = 0.0
        self._m1 = 0.0
        self._m2 = 0.0
        self._step = 0.0

    @property
    def ready(self) -> bool:
        return self._buffer is None

    def _initialise(self, values: list[float]) -> None:
        ordered = sorted(values)
        k = min(int(len(ordered) * (1.0 - self._beta)), len(ordered) - 1)
        self._q = ordered[k]
        excesses = [v - self._q for v in ordered[k + 1 :] if v > self._q] or [0.0]
        self._m1 = sum(excesses) / len(excesses)
        self._m2 = sum(e * e for e in excesses) / len(excesses)
        self._step = max(self._m1, 1e-12)
        self._buffer = None

    def _surprise(self, excess: float) -> float:
        m1, m2 = self._m1, self._m2
        if m1 <= 0.0:
            return -self._log_beta + (50.0 if excess > 0.0 else 0.0)
        variance = m2 - m1 * m1
        if variance <= 1e-18:
            return -self._log_beta + excess / m1
        ratio = m1 * m1 / variance
        shape = 0.5 * (1.0 - ratio)
        scale = 0.5 * m1 * (ratio + 1.0)
        if shape <= 1e-6:  # light or exponential tail: use the exponential law
            return -self._log_beta + excess / m1
        shape = min(shape, 0.9)
        return -self._log_beta + math.log1p(shape * excess / scale) / shape

    def update(self, u: float) -> float:
        """Score ``u`` against the history, then learn it. 0 during the warm-up."""
        if self._buffer is not None:
            self._buffer.append(u)
            if len(self._buffer) >= self._warmup:
                self._initialise(self._buffer)
            return 0.0
        surprise = 0.0
        if u > self._q:
            excess = u - self._q
            surprise = self._surprise(excess)
            self._m1 += self._rate * (excess - self._m1)
            self._m2 += self._rate * (excess * excess - self._m2)
            self._q += 0.01 * self._step * (1.0 - self._beta)
        else:
            self._q = max(self._q - 0.01 * self._step * self._beta, 0.0)
        self._step += self._rate * (max(self._m1, 1e-12) - self._step)
        return surprise
