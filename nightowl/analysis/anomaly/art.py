"""Dual-vigilance fuzzy ART: an online clustering that says when an input fits no known category.

Adaptive resonance theory (Carpenter & Grossberg; the dual-vigilance variant of da Silva, Elnabarawy
& Wunsch 2019), in the form ARTime (M. Hampton, NAB 2021) uses for anomaly detection. Written
from the published descriptions; numpy over all categories at once.

* An input ``x`` in ``[0, 1]^d`` is complement-coded, ``(x, 1 - x)``, so every code has norm ``d``.
* A category is a weight vector ``w``; its match with ``x`` is ``|min(x, w)|_1 / |w|_1`` (how much
  of the category the input covers), raised to the third power, times the square of the same
  match on the input's *last* feature alone (ARTime's "energy": the present level must fit too).
* Two vigilances: every category whose match reaches ``rho_ub`` resonates and learns
  (``w := min(x, w)``, fast commit). Failing that, if the best match reaches ``rho_lb``, the input
  becomes a new category *of the same cluster* (a variation of something known). Otherwise it
  becomes a new category of a new cluster: a novelty, which :meth:`FuzzyArt.train` reports.

Memory grows by one category per unresonant input (bounded by ``capacity``; past it, inputs are
judged but no category is added). Not thread-safe: one instance per stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict on one input: novel (a new cluster), best match, and its energy match."""

    novel: bool
    similarity: float
    energy: float


class FuzzyArt:
    """Dual-vigilance fuzzy ART over inputs of ``dim`` features in [0, 1].

    ``rho_lb``/``rho_ub`` may be changed between inputs (the detector adapts them). Raises
    ``ValueError`` on an input of the wrong length.
    """

    __slots__ = ("_dim", "_norms", "_size", "_weights", "capacity", "rho_lb", "rho_ub")

    def __init__(self, dim: int, *, rho: float = 0.8, capacity: int = 50_000) -> None:
        self._dim = dim
        self.capacity = capacity
        self.rho_lb = rho
        self.rho_ub = rho
        # The first category is all ones: every input covers half of it (ARTime's start).
        self._weights = np.ones((64, 2 * dim))
        self._norms = np.full(64, 2.0 * dim)
        self._size = 1

    def __len__(self) -> int:
        return self._size

    def _add(self, code: FloatArray) -> None:
        if self._size >= self.capacity:
            return
        if self._size == len(self._weights):  # grow the arrays geometrically
            self._weights = np.vstack([self._weights, np.ones_like(self._weights)])
            self._norms = np.concatenate([self._norms, np.ones_like(self._norms)])
        self._weights[self._size] = code
        self._norms[self._size] = float(code.sum())
        self._size += 1

    def train(self, x: FloatArray, *, learn: bool = True) -> Match:
        """Match ``x`` against every category, then learn it (unless ``learn`` is false)."""
        if x.shape != (self._dim,):
            raise ValueError(f"expected {self._dim} features, got {x.shape}")
        code = np.concatenate([x, 1.0 - x])
        weights = self._weights[: self._size]
        overlap = np.minimum(weights, code)
        norms = np.maximum(self._norms[: self._size], 1e-3)
        feature = overlap.sum(axis=1) / norms
        last = self._dim - 1
        energy = (overlap[:, last] + overlap[:, -1]) / np.maximum(
            weights[:, last] + weights[:, -1], 1e-12
        )
        match = feature**3 * energy**2
        best = int(np.argmax(match))
        verdict = Match(False, float(match[best]), float(energy[best]))
        if not learn:
            return Match(True, verdict.similarity, verdict.energy)
        resonant = match >= self.rho_ub
        if resonant.any():
            self._weights[: self._size][resonant] = overlap[resonant]
            self._norms[: self._size][resonant] = overlap[resonant].sum(axis=1)
            return verdict
        self._add(code)
        if verdict.similarity >= self.rho_lb:
            return verdict
        return Match(True, verdict.similarity, verdict.energy)
