"""Drift between two windows of Prometheus histograms: the serving layer's own bucket counters.

A serving layer that exports each feature (and its prediction) as a Prometheus histogram keeps
no rows, only cumulative counts per upper bound (``le``). For each column the watcher reads the
increase of every bucket over the current window and over the reference window
(``watchers/histogram_windows.py``); here those become per-bucket counts and are tested:

* a chi-square test of homogeneity of the two rows of bucket counts (the binned analogue of the
  KS test, which needs the rows), buckets empty in both windows dropped;
* PSI on the buckets' shares, the size of the shift;
* the p-values adjusted across the model's columns (Benjamini–Hochberg or Holm, ``DriftRules``)
  and a column drifts only when its adjusted p-value is below α **and** PSI ≥ ``min_psi`` — the
  same rules as the rows' check, so 200 histograms do not page every hour either.

The likely cause is reported as a population shift: the cause tests (a unit change's rescaled
KS test, new categories, nulls) need the values, which a histogram does not keep.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from nightowl.errors import InputError
from nightowl.mlops.frames import Kind
from nightowl.mlops.models import Cause, Distribution, DriftReport, DriftRules, FeatureDrift, Role
from nightowl.mlops.multiple import adjust
from nightowl.mlops.stats import chi2_homogeneity, psi, shares


class Buckets(BaseModel):
    """One window of one histogram: cumulative counts per ascending upper bound (``+Inf`` last,
    as Prometheus's ``le`` label)."""

    model_config = ConfigDict(frozen=True)

    bounds: tuple[float, ...]
    cumulative: tuple[float, ...]

    @model_validator(mode="after")
    def _aligned(self) -> Buckets:
        if len(self.bounds) != len(self.cumulative) or not self.bounds:
            raise ValueError("a histogram needs one cumulative count per bucket bound")
        if list(self.bounds) != sorted(self.bounds):
            raise ValueError("bucket bounds must ascend")
        return self

    def counts(self) -> np.ndarray:
        """Per-bucket counts (a counter reset can make a cumulative step negative: clipped)."""
        steps = np.diff(np.asarray(self.cumulative, dtype=np.float64), prepend=0.0)
        return np.clip(steps, 0.0, None)

    def labels(self) -> list[str]:
        """``≤bound`` per bucket, ``>last`` for the ``+Inf`` one."""
        out, previous = [], None
        for bound in self.bounds:
            if math.isinf(bound):
                out.append(f">{previous:.4g}" if previous is not None else "all")
            else:
                out.append(f"≤{bound:.4g}")
            previous = bound
        return out


def compare_histograms(
    reference: dict[str, Buckets],
    current: dict[str, Buckets],
    rules: DriftRules | None = None,
    *,
    prediction: str | None = None,
) -> DriftReport:
    """The drift report of the current histograms against the reference ones (InputError when
    they share no column, or a column's buckets differ between the windows)."""
    rules = rules or DriftRules()
    names = [n for n in reference if n in current]
    if not names:
        raise InputError("the two windows share no histogram")
    tested = {n: _test(n, reference[n], current[n]) for n in names}
    features = [n for n in names if n != prediction]
    adjusted = adjust([tested[n].p_value for n in features], rules.correction)
    decided = [_decide(tested[n], p, rules) for n, p in zip(features, adjusted, strict=True)]
    pred = None
    if prediction is not None and prediction in tested:
        raw = tested[prediction]
        pred = _decide(raw, raw.p_value, rules).model_copy(update={"role": Role.PREDICTION})
    return DriftReport(
        reference_rows=int(max(float(reference[n].counts().sum()) for n in names)),
        current_rows=int(max(float(current[n].counts().sum()) for n in names)),
        rules=rules,
        features=decided,
        prediction=pred,
    )


def _test(name: str, ref: Buckets, cur: Buckets) -> FeatureDrift:
    if ref.bounds != cur.bounds:
        raise InputError(f"histogram {name!r} has other buckets in the current window")
    rc, cc = ref.counts(), cur.counts()
    statistic, p, _ = chi2_homogeneity(rc, cc)
    ra, ca = shares(rc), shares(cc)
    return FeatureDrift(
        name=name,
        kind=Kind.NUMERIC,
        test="chi2",
        statistic=statistic,
        p_value=p,
        adjusted_p=p,
        distance_name="psi",
        distance=psi(ra, ca) if rc.sum() and cc.sum() else 0.0,
        drifted=False,
        null_rate_reference=0.0,
        null_rate_current=0.0,
        distribution=Distribution(labels=ref.labels(), reference=list(ra), current=list(ca)),
    )


def _decide(raw: FeatureDrift, adjusted_p: float, rules: DriftRules) -> FeatureDrift:
    drifted = adjusted_p < rules.alpha and raw.distance >= rules.min_psi
    return raw.model_copy(
        update={
            "adjusted_p": adjusted_p,
            "drifted": drifted,
            "cause": Cause.POPULATION_SHIFT if drifted else None,
            "cause_detail": "the bucket shares moved (a histogram keeps no values to test for a "
            "unit change, new categories or nulls)"
            if drifted
            else "",
        }
    )
