"""Normal behaviour learnt from history: level, spread, rarity cap and time-of-day profile."""

from __future__ import annotations

import numpy as np

from nightowl.analysis.rca.model import RankConfig
from nightowl.analysis.rca.normal import DAY, learn_normal
from nightowl.domain.signals import Series


def _series(values: np.ndarray, step: float = 300.0) -> Series:
    return Series(
        metric="m",
        timestamps=tuple(float(i) * step for i in range(len(values))),
        values=tuple(float(v) for v in values),
    )


def test_too_little_history_learns_nothing() -> None:
    assert learn_normal(_series(np.ones(5)), RankConfig()) is None


def test_a_value_beyond_the_normal_range_is_far_and_one_inside_is_only_as_rare_as_it_is() -> None:
    rng = np.random.default_rng(0)
    sparse = np.where(rng.random(600) < 0.02, 20.0, 0.0)  # mostly 0, sometimes 20
    normal = learn_normal(_series(sparse), RankConfig())
    assert normal is not None
    assert normal.z(20.0, 0.001, 0.01) < 3.0  # seen before: not a thousand sigma
    assert normal.z(200.0, 0.001, 0.01) > 100.0


def test_a_daily_cycle_is_learnt_when_it_explains_the_signal() -> None:
    t = np.arange(3 * 288)
    cycle = 100.0 + 50.0 * np.sin(2 * np.pi * t / 288.0)
    normal = learn_normal(_series(cycle), RankConfig())
    assert normal is not None
    assert normal.hourly is not None
    assert abs(normal.level_at(6 * 3600.0) - 150.0) < 10.0
    assert abs(normal.level_at(DAY - 6 * 3600.0) - 50.0) < 10.0


def test_noise_is_never_seasonal() -> None:
    noise = np.random.default_rng(1).normal(10.0, 1.0, 3 * 288)
    normal = learn_normal(_series(noise), RankConfig())
    assert normal is not None
    assert normal.hourly is None
