"""Compare a current window with a reference window: one test per column chosen by its kind,
multiple-testing control across the features, the likely cause of each drifted one, prediction
drift, and performance decay when labels are present.

Numeric columns: two-sample KS on the present values (and, where either window has nulls, a
chi-square test of the null counts, the two combined by Bonferroni); PSI on reference-quantile
bins is the size of the shift. Categorical: chi-square test of homogeneity; Jensen–Shannon
distance is the size. A feature drifts when its adjusted p-value is below α and the shift is large
enough (``DriftRules``), or when its null rate jumps significantly.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from nightowl.errors import InputError
from nightowl.mlops.cause import classify
from nightowl.mlops.frames import Column, Kind, Table, columns
from nightowl.mlops.models import Distribution, DriftReport, DriftRules, FeatureDrift, Role
from nightowl.mlops.multiple import adjust
from nightowl.mlops.performance import performance
from nightowl.mlops.stats import (
    binned,
    chi2_homogeneity,
    js_distance,
    ks_two_sample,
    psi,
    quantile_edges,
    shares,
)

NULL = "∅"
MAX_CATEGORIES = 50  # beyond this, the rarest categories are pooled as "other"


def compare(
    reference: Table,
    current: Table,
    rules: DriftRules | None = None,
    *,
    prediction: str | None = None,
    label: str | None = None,
    ignore: frozenset[str] = frozenset(),
    categorical: frozenset[str] = frozenset(),
) -> DriftReport:
    """The drift report of ``current`` against ``reference`` (InputError if nothing to compare)."""
    rules = rules or DriftRules()
    pairs = [
        p for p in columns(reference, current, categorical) if p[0].name not in ignore | {label}
    ]
    if not pairs:
        raise InputError("the two windows share no column; both files need the same header")
    tested = {ref.name: (ref, cur, _test(ref, cur, rules)) for ref, cur in pairs}
    names = [n for n in tested if n != prediction]
    adjusted = adjust([tested[n][2].p_value for n in names], rules.correction)
    features = [_decide(*tested[n], adj, rules) for n, adj in zip(names, adjusted, strict=True)]
    pred = None
    if prediction is not None:
        if prediction not in tested:
            raise InputError(f"no column {prediction!r} in both windows for --prediction")
        ref, cur, raw = tested[prediction]
        pred = _decide(ref, cur, raw, raw.p_value, rules).model_copy(
            update={"role": Role.PREDICTION}
        )
    perf = None
    if label is not None and prediction is not None:
        perf = performance(reference, current, prediction=prediction, label=label, rules=rules)
    return DriftReport(
        reference_rows=_rows(reference),
        current_rows=_rows(current),
        rules=rules,
        features=features,
        prediction=pred,
        performance=perf,
    )


def _rows(table: Table) -> int:
    return len(next(iter(table.values()), []))


def _decide(
    ref: Column, cur: Column, raw: FeatureDrift, adjusted_p: float, rules: DriftRules
) -> FeatureDrift:
    big = raw.distance >= (rules.min_psi if ref.kind is Kind.NUMERIC else rules.min_js)
    nulls = cur.null_rate - ref.null_rate >= rules.nulls_jump
    drifted = adjusted_p < rules.alpha and (big or nulls)
    cause, detail = classify(ref, cur, rules) if drifted else (None, "")
    return raw.model_copy(
        update={
            "adjusted_p": adjusted_p,
            "drifted": drifted,
            "cause": cause,
            "cause_detail": detail,
        }
    )


def _test(ref: Column, cur: Column, rules: DriftRules) -> FeatureDrift:
    if ref.kind is Kind.NUMERIC:
        return _numeric(ref, cur, rules)
    return _categorical(ref, cur)


def _null_p(ref: Column, cur: Column) -> float | None:
    if ref.null_rate == 0 and cur.null_rate == 0:
        return None
    counts = np.array(
        [
            [ref.null_rate * ref.size, (1 - ref.null_rate) * ref.size],
            [cur.null_rate * cur.size, (1 - cur.null_rate) * cur.size],
        ]
    )
    return chi2_homogeneity(counts[0], counts[1])[1]


def _numeric(ref: Column, cur: Column, rules: DriftRules) -> FeatureDrift:
    a = ref.numbers[~np.isnan(ref.numbers)]
    b = cur.numbers[~np.isnan(cur.numbers)]
    d, p = ks_two_sample(a, b)
    null_p = _null_p(ref, cur)
    if null_p is not None:
        p = min(1.0, 2 * min(p, null_p))
    edges = quantile_edges(a, rules.bins) if a.size else np.empty(0)
    ra, cb = shares(binned(a, edges)), shares(binned(b, edges))
    bounds = [f"{x:.4g}" for x in edges]
    labels = [f"≤{bounds[0]}"] if bounds else ["all"]
    labels += [f"{lo}–{hi}" for lo, hi in itertools.pairwise(bounds)]
    labels += [f">{bounds[-1]}"] if bounds else []
    return FeatureDrift(
        name=ref.name,
        kind=ref.kind,
        test="ks",
        statistic=d,
        p_value=p,
        adjusted_p=p,
        distance_name="psi",
        distance=psi(ra, cb),
        drifted=False,
        null_rate_reference=ref.null_rate,
        null_rate_current=cur.null_rate,
        distribution=Distribution(labels=labels, reference=list(ra), current=list(cb)),
    )


def _categorical(ref: Column, cur: Column) -> FeatureDrift:
    rc = Counter(NULL if v is None else v for v in ref.labels)
    cc = Counter(NULL if v is None else v for v in cur.labels)
    ranked = [k for k, _ in (rc + cc).most_common()]
    keep, rest = ranked[:MAX_CATEGORIES], ranked[MAX_CATEGORIES:]
    r = np.array([rc[k] for k in keep] + ([sum(rc[k] for k in rest)] if rest else []), float)
    c = np.array([cc[k] for k in keep] + ([sum(cc[k] for k in rest)] if rest else []), float)
    stat, p, _ = chi2_homogeneity(r, c)
    return FeatureDrift(
        name=ref.name,
        kind=ref.kind,
        test="chi2",
        statistic=stat,
        p_value=p,
        adjusted_p=p,
        distance_name="js",
        distance=js_distance(r, c),
        drifted=False,
        null_rate_reference=ref.null_rate,
        null_rate_current=cur.null_rate,
        distribution=Distribution(
            labels=keep + (["other"] if rest else []),
            reference=list(shares(r)),
            current=list(shares(c)),
        ),
    )
