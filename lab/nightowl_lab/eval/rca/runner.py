"""Run the ranking over benchmark cases and score it: AC@k and Avg@5, overall and per group.

AC@k is the fraction of cases whose true root cause is among the top k services; Avg@5 is the
mean of AC@1 … AC@5.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol

from pydantic import Field

from nightowl.analysis.rca import RankConfig, rank_services
from nightowl.domain.base import Model
from nightowl_lab.eval.rca.cases import RcaCase

TOP = 5


class CaseResult(Model):
    """Where one case's true root cause landed (``rank`` is ``None`` when it was not ranked)."""

    name: str
    group: str
    fault_kind: str | None
    root_cause: str
    rank: int | None
    top: tuple[str, ...]


class Scorecard(Model):
    """AC@1, AC@3 and Avg@5 of a set of case results."""

    cases: int
    ac: tuple[float, ...] = Field(description="AC@1 … AC@5")

    @property
    def avg5(self) -> float:
        return sum(self.ac) / len(self.ac) if self.ac else 0.0


class RcaResult(Model):
    """Every case's result, the overall scorecard, per-group ones and the run time."""

    results: tuple[CaseResult, ...]
    seconds: float

    def scorecard(self, group: str | None = None, kind: str | None = None) -> Scorecard:
        chosen = [
            r
            for r in self.results
            if (group is None or r.group == group) and (kind is None or r.fault_kind == kind)
        ]
        ranks = [r.rank for r in chosen]
        ac = tuple(
            sum(1 for k in ranks if k is not None and k <= top) / len(ranks) if ranks else 0.0
            for top in range(1, TOP + 1)
        )
        return Scorecard(cases=len(chosen), ac=ac)

    @property
    def groups(self) -> list[str]:
        return sorted({r.group for r in self.results})

    def kinds(self, group: str) -> list[str]:
        return sorted({r.fault_kind for r in self.results if r.group == group and r.fault_kind})

    def document(self) -> dict[str, object]:
        """The JSON figures: ``cases``, ``AC@1``, ``AC@3``, ``Avg@5``, ``per_group``."""
        overall = self.scorecard()
        return {
            "cases": overall.cases,
            "AC@1": overall.ac[0],
            "AC@3": overall.ac[2],
            "Avg@5": overall.avg5,
            "per_group": {
                g: {"cases": c.cases, "AC@1": c.ac[0], "AC@3": c.ac[2], "Avg@5": c.avg5}
                for g in self.groups
                for c in (self.scorecard(g),)
            },
            "seconds": self.seconds,
        }


class Dataset(Protocol):
    """A benchmark dataset: how many cases it has, and the cases one at a time."""

    def __len__(self) -> int: ...

    def cases(self) -> Iterable[RcaCase]: ...


def rank_case(case: RcaCase, config: RankConfig | None = None) -> CaseResult:
    """Rank one case and say where its true root cause landed."""
    ranked = rank_services(
        case.signals,
        case.graph,
        case.fault_time,
        logs=case.logs,
        symptom=case.symptom,
        config=config,
        patterns=case.patterns,
    )
    names = [r.service for r in ranked]
    rank = names.index(case.root_cause) + 1 if case.root_cause in names else None
    return CaseResult(
        name=case.name,
        group=case.group,
        fault_kind=case.fault_kind,
        root_cause=case.root_cause,
        rank=rank,
        top=tuple(names[:TOP]),
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
