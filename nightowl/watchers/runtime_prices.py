"""Replica prices from what workloads cost while they run: OpenCost's allocation API read into
the price table (``PriceTable.observe``), so a scale-out's approval shows the price of *this*
service's pods — its requests, its nodes, its discounts — rather than a flat table entry.

``cost.runtime`` names the ``kind: opencost`` connector; the serving process re-reads it every
``cost.runtime_refresh_seconds`` over ``cost.runtime_window``, aggregated by
``cost.runtime_aggregate`` (whose names must be the services' names). A read that fails keeps
the prices read before (and the table for the rest).
"""

from __future__ import annotations

from nightowl.connectors.opencost import OpenCost
from nightowl.errors import ConfigError
from nightowl.settings import Settings
from nightowl.watchers.pricing import PriceTable


def source_of(settings: Settings) -> OpenCost | None:
    """The OpenCost connector ``cost.runtime`` names; None when not configured, ConfigError when
    it names no ``kind: opencost`` connector."""
    name = settings.cost.runtime
    if name is None:
        return None
    entry = next((c for c in settings.connectors if c.name == name), None)
    if entry is None or entry.kind != "opencost":
        raise ConfigError(f"cost.runtime: {name!r} is not a connector of kind opencost")
    return OpenCost.from_plugin(entry, settings)


async def refresh(table: PriceTable, source: OpenCost, settings: Settings) -> int:
    """Read the allocations into ``table``; how many workloads are priced now. ConnectorError
    when OpenCost cannot answer (``table`` keeps what it had)."""
    found = await source.allocations(
        window=settings.cost.runtime_window, aggregate=settings.cost.runtime_aggregate
    )
    table.observe(found)
    return len(table.runtime)
