""" "Now" from the metrics source: traffic against its daily profile, and the error budget spent.

Both are the configured queries (``deploy_risk.traffic_query``, ``deploy_risk.error_ratio_query``,
``{service}`` replaced): traffic now (an instant query) against the median of its daily profile
(a range query over the ``profile_days`` before, hourly, every hour of the day); the error ratio
once, now. For a summed query over several series the profile takes every series' points (give a
query that returns one series). A
query that returns nothing gives None (the reason then says so); a failing query raises the
connector's error, which the caller reports as an absent input.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from nightowl.connectors.protocols import MetricsSource
from nightowl.deployrisk.model import Budget, Traffic
from nightowl.settings import DeployRiskSettings

PROFILE_STEP_SECONDS = 3600


def _query(template: str, service: str) -> str:
    return template.replace("{service}", service)


async def _value(source: MetricsSource, query: str, at: datetime) -> float | None:
    """The sum over series of each one's last value at ``at``; None for no data."""
    found = [s.values[-1] for s in await source.query(query, at) if s.values]
    return sum(found) if found else None


async def traffic(
    source: MetricsSource, settings: DeployRiskSettings, service: str, at: datetime
) -> Traffic | None:
    """Traffic now and its usual: the median of the daily profile, the query sampled every
    ``PROFILE_STEP_SECONDS`` over the ``profile_days`` before ``at`` (all hours, so a busy hour
    reads above 1 and a quiet one below)."""
    if settings.traffic_query is None:
        return None
    query = _query(settings.traffic_query, service)
    now = await _value(source, query, at)
    if now is None:
        return None
    start = at - timedelta(days=settings.profile_days)
    found = await source.query_range(query, start, at, PROFILE_STEP_SECONDS)
    profile = [v for series in found for v in series.values]
    if not profile:
        return None
    return Traffic(now=now, typical=statistics.median(profile), days=settings.profile_days)


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
