"""Two-sample tests and distances, written with numpy (no scipy in the product).

* Kolmogorov–Smirnov: the statistic D = sup |F_ref − F_cur| and its asymptotic p-value from the
  Kolmogorov distribution's series, with Stephens' small-sample correction
  (λ = (√n_e + 0.12 + 0.11/√n_e)·D, n_e = n·m/(n+m)).
* Chi-square test of homogeneity on a 2×k table of counts; its p-value is the regularized upper
  incomplete gamma Q(dof/2, χ²/2) (series below a+1, Lentz continued fraction above).
* Population stability index on reference-quantile bins, and the Jensen–Shannon distance
  (base 2, in [0, 1]).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

_EPS = 1e-4  # share given to an empty bin in PSI, so log(0) never happens (the common convention)
_ITER = 500
_TINY = 1e-300


def kolmogorov_sf(lam: float) -> float:
    """P(K > λ) for the Kolmogorov distribution K."""
    if lam <= 0:
        return 1.0
    if lam < 1.18:  # the theta-function form converges fast for small λ
        y = math.exp(-(math.pi**2) / (8 * lam * lam))
        total = sum(y ** ((2 * j - 1) ** 2) for j in range(1, 20))
        return min(1.0, max(0.0, 1.0 - math.sqrt(2 * math.pi) / lam * total))
    total = 0.0
    for j in range(1, 101):
        term = (-1) ** (j - 1) * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-16:
            break
    return min(1.0, max(0.0, 2.0 * total))


def ks_two_sample(reference: Floats, current: Floats) -> tuple[float, float]:
    """(D, p-value) of the two-sided two-sample Kolmogorov–Smirnov test."""
    a = np.sort(reference)
    b = np.sort(current)
    n, m = a.size, b.size
    if n == 0 or m == 0:
        return 0.0, 1.0
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / n
    cdf_b = np.searchsorted(b, grid, side="right") / m
    d = float(np.max(np.abs(cdf_a - cdf_b)))
    en = math.sqrt(n * m / (n + m))
    return d, kolmogorov_sf((en + 0.12 + 0.11 / en) * d)


def _gamma_series(a: float, x: float) -> float:
    """P(a, x) by its series (x < a + 1)."""
    term = total = 1.0 / a
    ap = a
    for _ in range(_ITER):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-15:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_fraction(a: float, x: float) -> float:
    """Q(a, x) by its continued fraction, modified Lentz (x ≥ a + 1)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def gamma_q(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a)."""
    if x <= 0:
        return 1.0
    if x < a + 1.0:
        return max(0.0, 1.0 - _gamma_series(a, x))
    return min(1.0, _gamma_fraction(a, x))


def chi2_sf(statistic: float, dof: int) -> float:
    """P(χ²_dof > statistic)."""
    return gamma_q(dof / 2.0, statistic / 2.0) if dof > 0 else 1.0


def chi2_homogeneity(reference: Floats, current: Floats) -> tuple[float, float, int]:
    """(χ², p-value, dof) for two rows of category counts (same categories, same order)."""
    table = np.vstack([reference, current]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    rows = table.sum(axis=1, keepdims=True)
    if table.shape[1] < 2 or np.any(rows == 0):
        return 0.0, 1.0, 0
    expected = rows * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    dof = table.shape[1] - 1
    return statistic, chi2_sf(statistic, dof), dof


def shares(counts: Floats) -> Floats:
    total = float(np.sum(counts))
    return counts / total if total > 0 else np.zeros_like(counts, dtype=np.float64)


def psi(reference_shares: Floats, current_shares: Floats) -> float:
    """Population stability index Σ (c − r)·ln(c / r) over bins (empty bins get a tiny share)."""
    r = np.clip(reference_shares, _EPS, None)
    c = np.clip(current_shares, _EPS, None)
    return float(np.sum((c - r) * np.log(c / r)))


def js_distance(p: Floats, q: Floats) -> float:
    """Jensen–Shannon distance, base 2: √JSD, 0 for equal distributions, 1 for disjoint ones."""
    p = shares(p)
    q = shares(q)
    mid = (p + q) / 2.0

    def kl(x: Floats) -> float:
        keep = x > 0
        return float(np.sum(x[keep] * np.log2(x[keep] / mid[keep])))

    return math.sqrt(max(0.0, (kl(p) + kl(q)) / 2.0))


def quantile_edges(reference: Floats, bins: int) -> Floats:
    """Inner bin edges at the reference's quantiles (duplicates dropped for discrete data)."""
    inner = np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(inner)


def binned(values: Floats, edges: Floats) -> Floats:
    """Counts of ``values`` in (−∞, e₁], (e₁, e₂], …, (e_k, ∞)."""
    index = np.searchsorted(edges, values, side="left")
    return np.bincount(index, minlength=edges.size + 1).astype(np.float64)
