"""Level changes and monotonic growth on synthetic series with known answers."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from nightowl.analysis.changes import detect_change, detect_growth
from nightowl.domain import Series

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC).timestamp()
STEP = 30.0


def series(values: np.ndarray | list[float], metric: str = "latency_p99") -> Series:
    return Series(
        metric=metric,
        labels={"service": "checkout"},
        timestamps=tuple(T0 + STEP * i for i in range(len(values))),
        values=tuple(float(v) for v in values),
    )


def noise(n: int, level: float = 100.0, relative: float = 0.03, seed: int = 1) -> np.ndarray:
    return level * (1 + relative * np.random.default_rng(seed).standard_normal(n))


def at(index: int) -> datetime:
    return datetime.fromtimestamp(T0 + STEP * index, UTC)


def test_a_step_up_is_found_with_its_onset_and_ratio() -> None:
    values = noise(120)
    values[80:] *= 3.0

    change = detect_change(series(values))

    assert change is not None
    assert change.direction == 1
    assert change.onset_index == 80
    assert change.onset == at(80)
    assert change.baseline == pytest.approx(100, rel=0.05)
    assert change.level == pytest.approx(300, rel=0.05)
    assert change.ratio == pytest.approx(3.0, rel=0.08)


def test_a_step_down_is_found_as_a_fall() -> None:
    values = noise(120, level=400.0, seed=2)
    values[90:] *= 0.25

    change = detect_change(series(values, "request_rate"))

    assert change is not None
    assert change.direction == -1
    assert change.onset_index == 90
    assert change.ratio == pytest.approx(0.25, rel=0.1)


def test_a_ramp_starts_where_it_leaves_the_noise() -> None:
    values = noise(120, seed=3)
    values[70:] *= np.minimum(1 + np.arange(50) * 0.2, 6.0)

    change = detect_change(series(values))

    assert change is not None
    assert change.direction == 1
    assert 70 <= change.onset_index <= 74  # the ramp crosses half the band within a few points


@pytest.mark.parametrize("seed", range(5))
def test_pure_noise_is_no_change(seed: int) -> None:
    assert detect_change(series(noise(240, relative=0.05, seed=seed))) is None


def test_a_small_shift_below_the_relative_floor_is_no_change() -> None:
    values = noise(120, relative=0.001, seed=4)
    values[90:] *= 1.2  # far outside the noise, but under the default 30 % floor

    assert detect_change(series(values)) is None
    assert detect_change(series(values), min_ratio=0.1) is not None


def test_a_single_spike_at_the_end_is_no_change() -> None:
    values = noise(120, seed=5)
    values[-1] *= 10

    assert detect_change(series(values)) is None


def test_a_change_that_ended_is_no_change() -> None:
    values = noise(120, seed=6)
    values[60:90] *= 4  # an episode that is over by the end of the window

    assert detect_change(series(values)) is None


def test_too_few_points_is_no_change() -> None:
    assert detect_change(series([1, 1, 1, 9, 9, 9, 9])) is None


def test_a_flat_zero_baseline_that_rises_has_an_infinite_ratio() -> None:
    values = [0.0] * 60 + [0.05] * 20

    change = detect_change(series(values, "error_rate"))

    assert change is not None
    assert (change.direction, change.onset_index) == (1, 60)
    assert change.ratio == float("inf")


def test_a_slow_leak_is_growth_across_the_window() -> None:
    n = 240
    values = noise(n, level=3e8, relative=0.02, seed=7) * np.linspace(1.0, 1.6, n)

    growth = detect_growth(series(values, "memory"))

    assert growth is not None
    assert growth.rho > 0.9
    assert growth.growth == pytest.approx(0.6, abs=0.08)
    assert growth.start == at(0)


def test_a_leak_that_began_mid_window_starts_near_its_onset() -> None:
    n = 240
    values = noise(n, level=4e8, relative=0.02, seed=8)
    values[150:] *= np.linspace(1.0, 2.4, n - 150)

    growth = detect_growth(series(values, "memory"))

    assert growth is not None
    assert growth.growth > 1.0
    assert at(140) <= growth.start <= at(160)


@pytest.mark.parametrize("seed", range(5))
def test_flat_noise_is_no_growth(seed: int) -> None:
    assert detect_growth(series(noise(240, level=3e8, relative=0.05, seed=seed), "memory")) is None


def test_a_step_is_not_a_leak() -> None:
    values = noise(240, level=3e8, relative=0.02, seed=9)
    values[200:] *= 2.0  # one jump, then flat: not a steady climb

    assert detect_growth(series(values, "memory")) is None


def test_a_falling_series_is_no_growth() -> None:
    n = 240
    values = noise(n, level=3e8, relative=0.02, seed=10) * np.linspace(1.6, 1.0, n)

    assert detect_growth(series(values, "memory")) is None


def test_history_is_the_baseline_when_there_is_one() -> None:
    """A level already raised when the window starts is a change against normal operation; judged
    against the window's own first third it is invisible."""
    stamps = tuple(float(i * 60) for i in range(30))
    raised = Series(metric="error_rate", timestamps=stamps, values=tuple(5.0 for _ in stamps))
    normal = Series(
        metric="error_rate",
        timestamps=tuple(float(-3600 + i * 60) for i in range(60)),
        values=tuple(1.0 + 0.01 * (i % 3) for i in range(60)),
    )
    assert detect_change(raised) is None
    change = detect_change(raised, history=normal)
    assert change is not None
    assert change.direction == 1
    assert change.baseline == pytest.approx(1.01, abs=0.02)
    assert change.onset_index == 0


def test_a_leak_older_than_the_window_is_dated_from_its_start_in_the_history() -> None:
    """Memory climbing since 100 minutes before the page: the 60-minute window alone dates the
    climb from its own start; with the history the start is found where the climb began."""
    minute = 60.0
    stamps = [i * minute for i in range(-360, 60)]
    values = [
        1e9 if t < -100 * minute else 1e9 * (1 + (t + 100 * minute) / (160 * minute))
        for t in stamps
    ]
    past = Series(metric="memory", timestamps=tuple(stamps[:360]), values=tuple(values[:360]))
    window = Series(metric="memory", timestamps=tuple(stamps[360:]), values=tuple(values[360:]))
    alone = detect_growth(window)
    joined = detect_growth(window, history=past)
    assert alone is not None
    assert alone.start.timestamp() == 0.0
    assert joined is not None
    # dated from when the climb cleared the noise band: within minutes of its start
    assert -100 * minute <= joined.start.timestamp() <= -85 * minute
