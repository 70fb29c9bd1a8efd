"""Leave-one-system-out choice of the miner's configuration on the Loghub benchmark.

The product runs one fixed configuration (:data:`~nightowl.analysis.logs.config.DEFAULT_CONFIG`)
that no benchmark file chose, so its figures on every system are already held-out figures. To
measure what choosing the configuration from data would give on a system nobody tuned for, the
bench repeats the choice once per system with that system left out:

* for each system, the configuration of :data:`GRID` with the best mean of GA and PA over the
  *other* systems is picked (ties go to the earlier entry: the default is first), then scored on
  the left-out system — that is the **leave-one-out** figure;
* the configuration best on *all* systems, scored on all of them, is the **in-sample** figure:
  an optimistic bound, reported beside it so the gap shows how much tuning would flatter.

The grid is small on purpose and every entry is a reason, not a fit: ``min_values`` 3–5 spans
"three values are an enumeration" to "five", ``name_factor`` 1–4 spans "names need no more
evidence than values" to "four times as much". Everything here is a pure function.
"""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.analysis.logs.config import DEFAULT_CONFIG, MinerConfig
from nightowl.domain.base import Model

GRID: tuple[MinerConfig, ...] = (
    DEFAULT_CONFIG,
    *(
        MinerConfig(min_values=k, name_factor=f)
        for k in (3, 4, 5)
        for f in (1, 2, 3, 4)
        if MinerConfig(min_values=k, name_factor=f) != DEFAULT_CONFIG
    ),
)


class Accuracy(Model):
    """Grouping and parsing accuracy of one configuration on one system (or an average)."""

    grouping_accuracy: float
    parsing_accuracy: float

    @property
    def objective(self) -> float:
        """What the selection maximises: the mean of grouping and parsing accuracy."""
        return (self.grouping_accuracy + self.parsing_accuracy) / 2


class ConfigScores(Model):
    """One configuration's accuracy on every system."""

    config: MinerConfig
    systems: dict[str, Accuracy]


class HeldOutChoice(Model):
    """The configuration picked without a system, and its accuracy on that system."""

    config: MinerConfig
    grouping_accuracy: float
    parsing_accuracy: float


class LeaveOneOut(Model):
    """Leave-one-out and in-sample figures of the choice over :data:`GRID`."""

    grid_size: int
    systems: dict[str, HeldOutChoice]
    average: Accuracy
    in_sample_config: MinerConfig
    in_sample: dict[str, Accuracy]
    in_sample_average: Accuracy


def mean(scores: Sequence[Accuracy]) -> Accuracy:
    """The plain mean over systems (every system counts once, as in Loghub's tables)."""
    n = max(1, len(scores))
    return Accuracy(
        grouping_accuracy=sum(s.grouping_accuracy for s in scores) / n,
        parsing_accuracy=sum(s.parsing_accuracy for s in scores) / n,
    )


def _best(table: Sequence[ConfigScores], systems: Sequence[str]) -> ConfigScores:
    """The entry with the best mean objective on ``systems`` (the earliest on a tie)."""
    best = table[0]
    best_value = mean([best.systems[s] for s in systems]).objective
    for entry in table[1:]:
        value = mean([entry.systems[s] for s in systems]).objective
        if value > best_value + 1e-12:
            best, best_value = entry, value
    return best


def leave_one_out(table: Sequence[ConfigScores]) -> LeaveOneOut:
    """Choose a configuration per left-out system, and once on all systems (in-sample).

    Raises ValueError when ``table`` is empty or its entries do not cover the same systems.
    """
    if not table:
        raise ValueError("no configuration was scored")
    names = list(table[0].systems)
    if any(list(entry.systems) != names for entry in table):
        raise ValueError("every configuration must be scored on the same systems")
    chosen: dict[str, HeldOutChoice] = {}
    for name in names:
        others = [n for n in names if n != name] or names  # one system: nothing is held out
        pick = _best(table, others)
        score = pick.systems[name]
        chosen[name] = HeldOutChoice(
            config=pick.config,
            grouping_accuracy=score.grouping_accuracy,
            parsing_accuracy=score.parsing_accuracy,
        )
    overall = _best(table, names)
    return LeaveOneOut(
        grid_size=len(table),
        systems=chosen,
        average=mean([_accuracy(c) for c in chosen.values()]),
        in_sample_config=overall.config,
        in_sample=dict(overall.systems),
        in_sample_average=mean(list(overall.systems.values())),
    )


def _accuracy(choice: HeldOutChoice) -> Accuracy:
    return Accuracy(
        grouping_accuracy=choice.grouping_accuracy, parsing_accuracy=choice.parsing_accuracy
    )
