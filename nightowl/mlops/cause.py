"""The likely cause of a shift: an upstream data change (a new category, a unit change, a jump in
nulls) or a real population shift.

A unit change is a scale change: the ratios of the current to the reference quantiles (25th,
50th, 75th) agree with each other, their common ratio is near a power of ten or a known unit
factor, and the current window divided by it passes the KS test against the reference.
"""

from __future__ import annotations

import math

import numpy as np

from nightowl.mlops.frames import Column, Kind
from nightowl.mlops.models import Cause, DriftRules
from nightowl.mlops.stats import Floats, ks_two_sample

# Conversion factors between units serving layers mix up (and their inverses).
UNIT_FACTORS = {
    "inch↔cm": 2.54,
    "foot↔m": 0.3048,
    "mile↔km": 1.609344,
    "pound↔kg": 0.45359237,
    "minute↔s": 60.0,
    "hour↔s": 3600.0,
    "day↔h": 24.0,
    "KiB↔B": 1024.0,
    "°F↔°C span": 1.8,
}
_TOLERANCE = 0.03  # relative: how near the common ratio must be to a factor
_AGREE = 0.1  # relative: how closely the quantile ratios must agree


def classify(ref: Column, cur: Column, rules: DriftRules) -> tuple[Cause, str]:
    """Cause and a one-line explanation for a column already found to have drifted."""
    rise = cur.null_rate - ref.null_rate
    if rise >= rules.nulls_jump:
        return Cause.NULLS_JUMP, (
            f"nulls rose from {ref.null_rate:.1%} to {cur.null_rate:.1%} of rows"
        )
    if ref.kind is Kind.CATEGORICAL:
        return _new_category(ref, cur)
    unit = unit_change(_present(ref.numbers), _present(cur.numbers), rules.alpha)
    if unit is not None:
        name, factor = unit
        return (
            Cause.UNIT_CHANGE,
            f"values scaled by ×{factor:.4g} ({name}) — a unit change upstream",
        )
    return Cause.POPULATION_SHIFT, "the distribution moved without a sign of an upstream change"


def _present(values: Floats) -> Floats:
    return values[~np.isnan(values)]


def _new_category(ref: Column, cur: Column) -> tuple[Cause, str]:
    known = {v for v in ref.labels if v is not None}
    present = [v for v in cur.labels if v is not None]
    new = [v for v in present if v not in known]
    if new and present:
        names = sorted(set(new))
        share = len(new) / len(present)
        shown = ", ".join(repr(n) for n in names[:5]) + (" …" if len(names) > 5 else "")
        return Cause.NEW_CATEGORY, f"new categories {shown} in {share:.1%} of rows"
    return Cause.POPULATION_SHIFT, "the mix of known categories moved"


def _named(ratio: float) -> tuple[str, float] | None:
    exponent = round(math.log10(ratio))
    if exponent != 0 and abs(ratio / 10.0**exponent - 1) <= _TOLERANCE:
        return f"×10^{exponent}", 10.0**exponent
    for name, factor in UNIT_FACTORS.items():
        for candidate in (factor, 1 / factor):
            if abs(ratio / candidate - 1) <= _TOLERANCE:
                return name, candidate
    return None


def unit_change(ref: Floats, cur: Floats, alpha: float) -> tuple[str, float] | None:
    """(unit name, factor) when ``cur`` looks like ``ref`` in another unit, else None."""
    if ref.size < 2 or cur.size < 2:
        return None
    qs = [0.25, 0.5, 0.75]
    rq = np.quantile(ref, qs)
    cq = np.quantile(cur, qs)
    if np.any(rq == 0) or np.any(np.sign(rq) != np.sign(cq)):
        return None
    ratios = cq / rq
    common = float(np.median(ratios))
    if common <= 0 or np.any(np.abs(ratios / common - 1) > _AGREE):
        return None
    named = _named(common)
    if named is None:
        return None
    _, p = ks_two_sample(ref, cur / named[1])
    return named if p >= alpha else None
