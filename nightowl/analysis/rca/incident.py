"""Rank the root cause of an incident from what the gather stage observed, and say whether there
is one at all.

``rank_incident`` is the one entry point the diagnose stage and the benchmarks share: it reads an
``Observations`` (signals per service, topology, logs, deploys and the history of normal
operation), learns the normal behaviour of every signal and the log patterns from that history,
and runs ``rank_services``. Its verdict names a root cause only when the incident is real by the
evidence: the symptom's signal (or, with no symptom named, some signal) is anomalous against normal
operation and so is the leading candidate (``RankConfig.threshold``). Otherwise it says "no root
cause" and why, but still returns the ranking for a human to read. Pure and thread-safe.
"""

from __future__ import annotations

from datetime import datetime

from nightowl.analysis.rca.model import RankConfig, RankedService
from nightowl.analysis.rca.patterns import PatternBaseline, learn_baseline
from nightowl.analysis.rca.ranker import rank_services
from nightowl.domain.base import Model
from nightowl.domain.observations import Observations


class RcaVerdict(Model):
    """The ranking of an incident's candidates, the root cause named (or ``None``), and why."""

    ranked: tuple[RankedService, ...]
    root_cause: str | None
    explanation: str


def _symptom_level(ranked: list[RankedService], symptom: str | None, metric: str | None) -> float:
    """How anomalous the symptom itself is: its strongest signal (the named one when known)."""
    for service in ranked:
        if service.service == symptom:
            scores = [a.score for a in service.signals if metric is None or a.metric == metric]
            return max((abs(s) for s in scores), default=0.0)
    return 0.0


def rank_incident(
    obs: Observations,
    fault_time: datetime,
    *,
    symptom_metric: str | None = None,
    config: RankConfig | None = None,
    patterns: PatternBaseline | None = None,
) -> RcaVerdict:
    """Rank ``obs``'s services as root causes of a fault at ``fault_time`` and give a verdict.

    ``symptom_metric`` is the metric the page fired on, at ``obs.service``. ``patterns`` may
    carry the log-pattern baseline already learnt from ``obs.history.logs`` (a cache: it is
    learnt here otherwise).
    """
    config = config or RankConfig()
    if patterns is None and obs.history.logs:
        patterns = learn_baseline(obs.history.logs)
    ranked = rank_services(
        obs.signals,
        obs.topology,
        fault_time,
        logs=obs.logs,
        deploys=obs.deploys,
        symptom=obs.service,
        config=config,
        patterns=patterns or None,
        history=obs.history.signals,
        symptom_metric=symptom_metric,
    )
    return RcaVerdict(ranked=tuple(ranked), **_verdict(ranked, obs, symptom_metric, config))


def _verdict(
    ranked: list[RankedService], obs: Observations, metric: str | None, config: RankConfig
) -> dict[str, str | None]:
    if not ranked:
        return {"root_cause": None, "explanation": "no service to rank"}
    if obs.service is not None:
        level = _symptom_level(ranked, obs.service, metric)
        if level < config.threshold:
            what = f"{obs.service} {metric}" if metric else obs.service
            return {
                "root_cause": None,
                "explanation": f"no root cause: {what} is within its normal range "
                f"(anomaly {level:.2f} < {config.threshold:.2f})",
            }
    top = ranked[0]
    if top.anomaly < config.threshold:
        return {
            "root_cause": None,
            "explanation": f"no root cause: no candidate is anomalous (best {top.service}, "
            f"anomaly {top.anomaly:.2f} < {config.threshold:.2f})",
        }
    return {"root_cause": top.service, "explanation": "; ".join(top.reasons) or top.service}
