"""``nightowl bench drift``'s runner: hourly checks over clean weeks and over injected drifts,
scored as detection rate, false pages per clean week, delay to the first page and (for nightowl)
whether the likely cause was named, for each detector under each paging rule
(``drift_paging.py``) in the same run on the same windows.

A false alarm is a page: a clean check at which some feature starts paging (a feature that
keeps paging over consecutive checks is one page, as the watcher's finding stays open)."""

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
from nightowl_lab.eval.drift_paging import Flags, Pager, variants

# A detector takes (reference, current) and returns the features it flags, each with the cause
# it names (or None) and its adjusted p-value.
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
        f.name: (f.cause.value if f.cause else None, f.adjusted_p)
        for f in compare(reference, current, categorical=CATEGORICAL).drifted
    }


@dataclass
class Score:
    """One detector's figures."""

    detector: str
    bound: float | None = None  # the paging rule's bound on false pages per week
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
    seed: int = 2026

    @property
    def checks(self) -> int:
        return self.clean_weeks * HOURS_PER_WEEK + len(TARGET_FEATURE) * self.seeds * self.hours


def _hit(paging: set[str], injection: Injection) -> bool:
    wanted = TARGET_FEATURE[injection]
    return bool(paging) if wanted is None else wanted in paging


def _name(detector: str, rule: str) -> str:
    return f"{detector} · {rule}"


def run(
    data: Dataset, detectors: dict[str, Detector], plan: Plan, tick: Callable[[], None]
) -> list[Score]:
    rules = variants()
    scores = {
        _name(d, r): Score(_name(d, r), bound=rule.bound_per_week)
        for d in detectors
        for r, rule in rules.items()
    }
    pagers = {name: Pager(rules[name.split(" · ")[1]]) for name in scores}
    rng = np.random.default_rng(plan.seed)
    for _ in range(plan.clean_weeks * HOURS_PER_WEEK):
        ref, cur = check_windows(data, rng, Injection.NONE, 0.0)
        for d, detect in detectors.items():
            flags = detect(ref, cur)
            for r in rules:
                score = scores[_name(d, r)]
                score.clean_checks += 1
                score.false_alarms += bool(pagers[_name(d, r)].step(flags)[1])
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
    rules = variants()
    pagers = {name: Pager(rules[name.split(" · ")[1]]) for name in scores}
    rng = np.random.default_rng([plan.seed, seed, list(TARGET_FEATURE).index(injection)])
    first: dict[str, int] = {}
    last: dict[str, Flags] = {}
    for hour in range(plan.hours):
        ref, cur = check_windows(data, rng, injection, min(1.0, (hour + 1) / plan.ramp))
        for d, detect in detectors.items():
            flags = detect(ref, cur)
            for r in rules:
                name = _name(d, r)
                last[name] = flags
                paging, _ = pagers[name].step(flags)
                if name not in first and _hit(paging, injection):
                    first[name] = hour + 1
        tick()
    for name, score in scores.items():
        score.runs[injection] = score.runs.get(injection, 0) + 1
        if name in first:
            score.detected[injection] = score.detected.get(injection, 0) + 1
            score.delays.setdefault(injection, []).append(first[name])
        wanted = TARGET_FEATURE[injection]
        named = last.get(name, {}).get(wanted, (None, 1.0))[0] if wanted else None
        right = injection in EXPECTED_CAUSE and named == EXPECTED_CAUSE[injection]
        score.causes_right[injection] = score.causes_right.get(injection, 0) + right
