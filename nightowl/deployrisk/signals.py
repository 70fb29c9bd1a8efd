""" "Now" from the metrics source: traffic against its daily profile, and the error budget spent.

Both are the configured queries (``deploy_risk.traffic_query``, ``deploy_risk.error_ratio_query``,
``{service}`` replaced) evaluated as instant queries: traffic now, and at the same minute on each
of the ``profile_days`` previous days, whose median is the usual; the error ratio once, now. A
query that returns nothing gives None (the reason then says so); a failing query raises the
connector's error, which the caller reports as an absent input.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from nightowl.connectors.protocols import MetricsSource
from nightowl.deployrisk.model import Budget, Traffic
from nightowl.settings import DeployRiskSettings


def _query(template: str, service: str) -> str:
    return template.replace("{service}", service)


async def _value(source: MetricsSource, query: str, at: datetime) -> float | None:
    """The sum over series of each one's last value at ``at``; None for no data."""
    found = [s.values[-1] for s in await source.query(query, at) if s.values]
    return sum(found) if found else None


async def traffic(
    source: MetricsSource, settings: DeployRiskSettings, service: str, at: datetime
) -> Traffic | None:
    """Traffic now and its usual (median of the same minute on previous days with data)."""
    if settings.traffic_query is None:
        return None
    query = _query(settings.traffic_query, service)
    now = await _value(source, query, at)
    if now is None:
        return None
    before = [
        await _value(source, query, at - timedelta(days=d))
        for d in range(1, settings.profile_days + 1)
    ]
    seen = [v for v in before if v is not None]
    if not seen:
        return None
    return Traffic(now=now, typical=statistics.median(seen), days=len(seen))


async def budget(
    source: MetricsSource, settings: DeployRiskSettings, service: str, at: datetime
) -> Budget | None:
    """The error ratio over the SLO window (as the query defines it) against the objective."""
    if settings.error_ratio_query is None:
        return None
    ratio = await _value(source, _query(settings.error_ratio_query, service), at)
    if ratio is None:
        return None
    return Budget(error_ratio=min(1.0, max(0.0, ratio)), objective=settings.slo_objective)
