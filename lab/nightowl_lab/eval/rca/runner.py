"""Run the ranking over benchmark cases and score it: AC@k, Avg@5 and specificity, per group.

Every case is ranked by ``nightowl.analysis.rca.rank_incident``, the diagnose stage's own entry
point. AC@k is the share of fault cases whose true root cause is among the top k services (from the
ranking, whatever the verdict); Avg@5 the mean of AC@1 … AC@5; *named* the share of fault cases
whose verdict names a root cause at all. Specificity is the share of normal-operation cases (no
root cause) whose verdict names none. Times are the ranker's own, per case.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from pydantic import Field

from nightowl.analysis.rca import RankConfig, rank_incident
from nightowl.domain.base import Model
from nightowl_lab.eval.rca.cases import RcaCase

TOP = 5


class CaseResult(Model):
    """Where one case's true root cause landed (``rank`` is ``None`` when it was not ranked), what
    the verdict named, and how long the ranking took."""

    name: str
    group: str
    fault_kind: str | None
    metric: str | None = None
    root_cause: str | None
    rank: int | None
    named: str | None
    top: tuple[str, ...]
    seconds: float = 0.0


class Scorecard(Model):
    """AC@1 … AC@5 and the named share of the fault cases, specificity of the normal ones."""

    cases: int
    ac: tuple[float, ...] = Field(description="AC@1 … AC@5")
    named: float = 0.0
    normal: int = 0
    specificity: float | None = None

    @property
    def avg5(self) -> float:
        """The mean of AC@1 … AC@5 (0 without fault cases)."""
        return sum(self.ac) / len(self.ac) if self.ac else 0.0

    def figures(self) -> dict[str, float | int | None]:
        """The scorecard as the benchmark document's figures (AC@1, AC@3, AC@5, Avg@5, ...)."""
        return {
            "cases": self.cases,
            "AC@1": self.ac[0],
            "AC@3": self.ac[2],
            "AC@5": self.ac[4],
            "Avg@5": self.avg5,
            "named": self.named,
            "normal": self.normal,
            "specificity": self.specificity,
        }


def scorecard(results: Iterable[CaseResult]) -> Scorecard:
    """The scorecard of a set of case results."""
    chosen = list(results)
    faults = [r for r in chosen if r.root_cause is not None]
    normal = [r for r in chosen if r.root_cause is None]
    ranks = [r.rank for r in faults]
    ac = tuple(
        sum(1 for k in ranks if k is not None and k <= top) / len(ranks) if ranks else 0.0
        for top in range(1, TOP + 1)
    )
    named = sum(1 for r in faults if r.named is not None) / len(faults) if faults else 0.0
    specificity = sum(1 for r in normal if r.named is None) / len(normal) if normal else None
    return Scorecard(
        cases=len(faults), ac=ac, named=named, normal=len(normal), specificity=specificity
    )


class RcaResult(Model):
    """Every case's result, the scorecards overall, per group and per fault kind, the run time."""

    results: tuple[CaseResult, ...]
    seconds: float

    def scorecard(self, group: str | None = None, kind: str | None = None) -> Scorecard:
        """The scorecard of the cases of ``group`` and fault ``kind`` (every case when both are
        None).
        """
        return scorecard(
            r
            for r in self.results
            if (group is None or r.group == group) and (kind is None or r.fault_kind == kind)
        )

    @property
    def groups(self) -> list[str]:
        """The groups the cases come from, sorted."""
        return sorted({r.group for r in self.results})

    def kinds(self, group: str) -> list[str]:
        """The fault kinds of ``group``'s cases, sorted."""
        return sorted({r.fault_kind for r in self.results if r.group == group and r.fault_kind})

    def rank_seconds(self) -> tuple[float, float]:
        """The ranker's median and largest time per case."""
        times = [r.seconds for r in self.results] or [0.0]
        return statistics.median(times), max(times)

    def document(self) -> dict[str, object]:
        """The JSON figures: overall, ``per_group``, ``per_kind`` (``group/kind``), timings."""
        median, worst = self.rank_seconds()
        return {
            **self.scorecard().figures(),
            "per_group": {g: self.scorecard(g).figures() for g in self.groups},
            "per_kind": {
                f"{g}/{k}": self.scorecard(g, k).figures()
                for g in self.groups
                for k in self.kinds(g)
            },
            "seconds": self.seconds,
            "rank_seconds_median": median,
            "rank_seconds_max": worst,
        }


class Dataset(Protocol):
    """A benchmark dataset: how many cases it has, and the cases one at a time."""

    def __len__(self) -> int: ...

    def cases(self) -> Iterable[RcaCase]:
        """The cases, read one at a time (a dataset may be too large to hold at once)."""


def rank_case(case: RcaCase, config: RankConfig | None = None) -> CaseResult:
    """Rank one case and say where its true root cause landed and what the verdict named."""
    started = time.perf_counter()
    verdict = rank_incident(
        case.observations,
        case.fault_time,
        symptom_metric=case.symptom_metric,
        config=config,
        patterns=case.patterns,
    )
    seconds = time.perf_counter() - started
    names = [r.service for r in verdict.ranked]
    truth = case.root_cause
    return CaseResult(
        name=case.name,
        group=case.group,
        fault_kind=case.fault_kind,
        metric=case.symptom_metric,
        root_cause=truth,
        rank=names.index(truth) + 1 if truth is not None and truth in names else None,
        named=verdict.root_cause,
        top=tuple(names[:TOP]),
        seconds=seconds,
    )


def run_benchmark(
    dataset: Dataset,
    progress: Callable[[CaseResult], None] | None = None,
    config: RankConfig | None = None,
) -> RcaResult:
    """Rank every case of ``dataset``; ``progress`` is told after each case."""
    started = time.perf_counter()
    results: list[CaseResult] = []
    for case in dataset.cases():
        result = rank_case(case, config)
        results.append(result)
        if progress is not None:
            progress(result)
    return RcaResult(results=tuple(results), seconds=time.perf_counter() - started)
