"""The drift benchmark's data: scikit-learn's diabetes table (442 patients, age, sex, BMI, blood
pressure, six serum measurements and a disease-progression target), shipped inside the package,
so nothing is downloaded. ``sex`` is categorical (``"1"``/``"2"``), the rest numeric.

Each hourly check draws a fresh random split of the rows into a reference window and a current
window, so a clean check is an exact null (both windows come from the same population), and the
injected drifts are applied to the current window only, rolled out gradually: the share of rows
affected (or the strength of a shift) grows linearly to full over ``ramp`` hours, as an upstream
change rolls out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from nightowl.errors import ConfigError

Matrix = npt.NDArray[np.float64]
NAMES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
CATEGORICAL = frozenset({"sex"})


class Injection(StrEnum):
    """What a scenario does to the current window."""

    NONE = "none"
    COVARIATE = "covariate_shift"  # rows selected by BMI: the served population moved
    LABEL = "label_shift"  # rows selected by the target: more advanced disease
    UNIT = "unit_change"  # BMI sent in another unit (×10: a decimal-point slip upstream)
    CATEGORY = "new_category"  # sex sent as "0" (unknown) for a share of rows


# The feature each injection moves (label shift moves several; any flagged feature counts).
TARGET_FEATURE = {
    Injection.COVARIATE: "bmi",
    Injection.LABEL: None,
    Injection.UNIT: "bmi",
    Injection.CATEGORY: "sex",
}


@dataclass(frozen=True, slots=True)
class Dataset:
    features: Matrix
    target: Matrix


def load() -> Dataset:
    """The diabetes table, unscaled (ConfigError naming the extra when scikit-learn is absent)."""
    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        raise ConfigError(
            "the drift benchmark's data comes with scikit-learn: pip install 'nightowl-lab[drift]'"
        ) from None
    bunch = load_diabetes(scaled=False)
    return Dataset(
        np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.float64)
    )


def _as_table(rows: Matrix, category: list[str] | None = None) -> dict[str, list[str | None]]:
    table: dict[str, list[str | None]] = {}
    for j, name in enumerate(NAMES):
        if name in CATEGORICAL:
            table[name] = [str(int(v)) for v in rows[:, j]]
        else:
            table[name] = [f"{v:.6g}" for v in rows[:, j]]
    if category is not None:
        table["sex"] = list(category)
    return table


def _tilted(
    rng: np.random.Generator, key: Matrix, strength: float, size: int
) -> npt.NDArray[np.int64]:
    """Resample ``size`` row indexes with weights ∝ exp(strength·z(key)) (selection on ``key``)."""
    z = (key - key.mean()) / (key.std() or 1.0)
    w = np.exp(strength * z)
    return rng.choice(key.size, size=size, replace=True, p=w / w.sum())


def check_windows(
    data: Dataset, rng: np.random.Generator, injection: Injection, level: float
) -> tuple[dict[str, list[str | None]], dict[str, list[str | None]]]:
    """(reference, current) for one check; ``level`` in [0, 1] is how far the change has rolled out."""
    order = rng.permutation(data.target.size)
    half = order.size // 2
    ref, cur = order[:half], order[half:]
    reference = _as_table(data.features[ref])
    if injection is Injection.COVARIATE and level > 0:
        cur = cur[_tilted(rng, data.features[cur, NAMES.index("bmi")], 1.0 * level, cur.size)]
    if injection is Injection.LABEL and level > 0:
        cur = cur[_tilted(rng, data.target[cur], 1.0 * level, cur.size)]
    rows = data.features[cur].copy()
    hit = np.asarray(rng.uniform(size=rows.shape[0]) < level, dtype=np.bool_)
    if injection is Injection.UNIT:
        rows[hit, NAMES.index("bmi")] *= 10.0
    category = None
    if injection is Injection.CATEGORY:
        unknown = hit & (rng.uniform(size=rows.shape[0]) < 0.3)
        category = [
            "0" if u else str(int(v))
            for u, v in zip(unknown.tolist(), rows[:, 1].tolist(), strict=True)
        ]
    return reference, _as_table(rows, category)
