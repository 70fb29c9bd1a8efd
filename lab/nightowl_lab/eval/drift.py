"""``nightowl bench drift``'s runner: hourly checks over clean weeks and over injected drifts,
scored as detection rate, false alarms per clean week, delay to detection and (for nightowl)
whether the likely cause was named, for each detector in the same run on the same windows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from nightowl.mlops.detect import compare
from nightowl.mlops.frames import Table
from nightowl_lab.eval.drift_data import (
    CATEGORICAL,
    TARGET_FEATURE,
    Dataset,
    Injection,
    check_windows,
)

# A detector takes (reference, current) and returns the features it flags and a named cause per
# feature where it names one.
Flags = dict[str, str | None]
Detector = Callable[[Table, Table], Flags]
HOURS_PER_WEEK = 168
# The cause a detector should name once the change has fully rolled out.
EXPECTED_CAUSE = {
    Injection.COVARIATE: "population_shift",
    Injection.UNIT: "unit_change",
    Injection.CATEGORY: "new_category",
}


def nightowl_detector(reference: Table, current: Table) -> Flags:
    return {
        f.name: f.cause.value if f.cause else None
        for f in compare(reference, current, categorical=CATEGORICAL).drifted
    }


@dataclass
class Score:
    """One detector's figures."""

    detector: str
    clean_checks: int = 0
    false_alarms: int = 0
    runs: dict[str, int] = field(default_factory=dict)
    detected: dict[str, int] = field(default_factory=dict)
    delays: dict[str, list[int]] = field(default_factory=dict)
    causes_right: dict[str, int] = field(default_factory=dict)

    @property
    def false_alarms_per_week(self) -> float:
        return (
            self.false_alarms / (self.clean_checks / HOURS_PER_WEEK) if self.clean_checks else 0.0
        )

    def rate(self, injection: str) -> float:
        return (
            self.detected.get(injection, 0) / self.runs[injection]
            if self.runs.get(injection)
            else 0.0
        )

    def median_delay(self, injection: str) -> float | None:
        found = self.delays.get(injection, [])
        return float(median(found)) if found else None


@dataclass(frozen=True, slots=True)
class Plan:
    """How much to run: clean weeks of hourly checks; per injection, seeds × hours of rollout."""

    clean_weeks: int = 2
    seeds: int = 5
    hours: int = 48
    ramp: int = 24

    @property
    def checks(self) -> int:
        return self.clean_weeks * HOURS_PER_WEEK + len(TARGET_FEATURE) * self.seeds * self.hours


def _hit(flags: Flags, injection: Injection) -> bool:
    wanted = TARGET_FEATURE[injection]
    return bool(flags) if wanted is None else wanted in flags


def run(
    data: Dataset, detectors: dict[str, Detector], plan: Plan, tick: Callable[[], None]
) -> list[Score]:
    scores = {name: Score(name) for name in detectors}
    rng = np.random.default_rng(2026)
    for _ in range(plan.clean_weeks * HOURS_PER_WEEK):
        ref, cur = check_windows(data, rng, Injection.NONE, 0.0)
        for name, detect in detectors.items():
            scores[name].clean_checks += 1
            scores[name].false_alarms += bool(detect(ref, cur))
        tick()
    for injection in TARGET_FEATURE:
        for seed in range(plan.seeds):
            _one_rollout(data, detectors, scores, injection, seed, plan, tick)
    return list(scores.values())


def _one_rollout(
    data: Dataset,
    detectors: dict[str, Detector],
    scores: dict[str, Score],
    injection: Injection,
    seed: int,
    plan: Plan,
    tick: Callable[[], None],
) -> None:
    rng = np.random.default_rng([seed, list(TARGET_FEATURE).index(injection)])
    first: dict[str, int] = {}
    last: dict[str, Flags] = {}
    for hour in range(plan.hours):
        ref, cur = check_windows(data, rng, injection, min(1.0, (hour + 1) / plan.ramp))
        for name, detect in detectors.items():
            flags = detect(ref, cur)
            last[name] = flags
            if name not in first and _hit(flags, injection):
                first[name] = hour + 1
        tick()
    for name, score in scores.items():
        score.runs[injection] = score.runs.get(injection, 0) + 1
        if name in first:
            score.detected[injection] = score.detected.get(injection, 0) + 1
            score.delays.setdefault(injection, []).append(first[name])
        wanted = TARGET_FEATURE[injection]
        named = last.get(name, {}).get(wanted) if wanted else None
        right = injection in EXPECTED_CAUSE and named == EXPECTED_CAUSE[injection]
        score.causes_right[injection] = score.causes_right.get(injection, 0) + right
