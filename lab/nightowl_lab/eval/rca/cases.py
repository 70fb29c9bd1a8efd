"""One root-cause benchmark case, in nightowl's own types, whatever dataset it came from."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict

from nightowl.analysis.rca.patterns import PatternBaseline
from nightowl.domain.base import Model
from nightowl.domain.signals import LogRecord, Series


class RcaCase(Model):
    """A fault with its ground truth and what the ranking may read about it.

    ``signals`` maps service → metric name → series; ``graph`` maps a caller to its callees;
    ``group`` is what the scorecard reports separately (a system or a scenario); ``symptom`` is
    the service whose alert fired, when the dataset names one; ``patterns`` holds per-service
    event-pattern baselines learnt from fault-free data, when the dataset has some.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    group: str
    fault_kind: str | None = None
    fault_time: datetime
    root_cause: str
    symptom: str | None = None
    signals: dict[str, dict[str, Series]]
    graph: dict[str, tuple[str, ...]]
    logs: tuple[LogRecord, ...] = ()
    patterns: PatternBaseline | None = None
