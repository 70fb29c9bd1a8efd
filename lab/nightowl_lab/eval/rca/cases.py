"""One root-cause benchmark case: the ``Observations`` an incident would gather, and its truth.

Whatever dataset a case comes from, it is turned into what the gather stage hands to analysis —
signals per service, topology, logs, and the history of normal operation — so the benchmark ranks
it with the same code the diagnose stage runs (``nightowl.analysis.rca.rank_incident``).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict

from nightowl.analysis.rca.patterns import PatternBaseline
from nightowl.domain.base import Model
from nightowl.domain.observations import Observations


class RcaCase(Model):
    """A fault (or a stretch of normal operation) with its ground truth.

    ``root_cause`` is ``None`` for a normal-operation slice, where the right answer is "no root
    cause". ``group`` is what the scorecard reports separately (a system or a scenario);
    ``fault_kind`` the kind of fault (or the target metric); ``symptom_metric`` the metric the
    page fired on at ``observations.service``, when the dataset names one. ``patterns`` caches the
    log-pattern baseline learnt from ``observations.history.logs`` (shared by a day's cases).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    group: str
    fault_kind: str | None = None
    fault_time: datetime
    root_cause: str | None
    symptom_metric: str | None = None
    observations: Observations
    patterns: PatternBaseline | None = None
