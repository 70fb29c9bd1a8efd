"""Performance decay once delayed labels arrive: the model's quality on the labelled rows of each
window — AUC for a 0/1 label with a score, MAE for a numeric label, accuracy otherwise — and
whether the current window is worse than the reference beyond sampling noise (a one-sided z-test
at α: the standard errors are binomial for accuracy, Hanley–McNeil for AUC, the sample standard
deviation of the absolute errors for MAE)."""

from __future__ import annotations

import math

import numpy as np

from nightowl.errors import InputError
from nightowl.mlops.frames import Table
from nightowl.mlops.models import DriftRules, Performance
from nightowl.mlops.stats import Floats


def _pairs(table: Table, prediction: str, label: str) -> tuple[list[str], list[str]]:
    if label not in table or prediction not in table:
        raise InputError(f"both windows need the columns {prediction!r} and {label!r}")
    rows = [
        (p, y) for p, y in zip(table[prediction], table[label], strict=True) if p and y is not None
    ]
    return [p for p, _ in rows], [y for _, y in rows]


def _floats(values: list[str]) -> Floats | None:
    try:
        return np.array([float(v) for v in values], dtype=np.float64)
    except ValueError:
        return None


def auc(scores: Floats, labels: Floats) -> float:
    """Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties averaged."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(scores.size)
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    for start, count in zip(first, counts, strict=True):
        ranks[order[start : start + count]] = start + (count + 1) / 2.0
    pos = labels == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return math.nan
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _auc_se(a: float, n1: int, n0: int) -> float:
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    var = (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0)
    return math.sqrt(max(var, 0.0))


def _measure(preds: list[str], labels: list[str]) -> tuple[str, float, float, bool]:
    """(metric, value, standard error, higher is better)."""
    p, y = _floats(preds), _floats(labels)
    if p is not None and y is not None and set(np.unique(y)) <= {0.0, 1.0}:
        a = auc(p, y)
        n1 = int((y == 1).sum())
        return "auc", a, _auc_se(a, n1, y.size - n1) if not math.isnan(a) else math.nan, True
    if p is not None and y is not None:
        err = np.abs(p - y)
        return "mae", float(err.mean()), float(err.std(ddof=1) / math.sqrt(err.size)), False
    hits = np.array([a == b for a, b in zip(preds, labels, strict=True)], dtype=np.float64)
    acc = float(hits.mean())
    return "accuracy", acc, math.sqrt(acc * (1 - acc) / hits.size), True


def performance(
    reference: Table, current: Table, *, prediction: str, label: str, rules: DriftRules
) -> Performance | None:
    """The quality comparison, or None while either window has fewer than 2 labelled rows."""
    ref_p, ref_y = _pairs(reference, prediction, label)
    cur_p, cur_y = _pairs(current, prediction, label)
    if len(ref_y) < 2 or len(cur_y) < 2:
        return None
    metric, ref_v, ref_se, higher = _measure(ref_p, ref_y)
    cur_metric, cur_v, cur_se, _ = _measure(cur_p, cur_y)
    if cur_metric != metric:
        raise InputError(f"the label {label!r} has a different type in the two windows")
    worse = (ref_v - cur_v) if higher else (cur_v - ref_v)
    se = math.hypot(ref_se, cur_se)
    decayed = bool(
        worse > 0 and se > 0 and 0.5 * math.erfc(worse / se / math.sqrt(2)) < rules.alpha
    )
    return Performance(
        metric=metric, reference=ref_v, current=cur_v, higher_is_better=higher, decayed=decayed
    )
