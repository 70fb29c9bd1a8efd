"""Reading the symptoms again: the golden signals of some services over a window, from every
metrics source (a later source's signal of the same name replaces an earlier one's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Series


async def read_signals(
    metrics: Sequence[MetricsSource],
    services: Sequence[str],
    start: datetime,
    end: datetime,
    step_seconds: int,
) -> dict[str, dict[str, Series]]:
    """Service → signal name → series. A source's ConnectorError propagates (the stage records
    the failure): a verification that cannot read its signals must not pass."""
    after: dict[str, dict[str, Series]] = {}
    for source in metrics:
        for service in services:
            signals = await source.service_signals(service, start, end, step_seconds)
            after.setdefault(service, {}).update({k.value: v for k, v in signals.items()})
    return after
