"""``kind: opencost`` — the runtime cost of what runs, from OpenCost's allocation API.

``GET /allocation/compute?window=7d&aggregate=namespace&accumulate=true`` (documented at
https://www.opencost.io/docs/integrations/api): ``{"code": 200, "data": [{"<name>": {"name",
"window": {"start", "end"}, "cpuCost", "ramCost", "totalCost", ...}}]}``, one map per step
(one with ``accumulate``). Each allocation is scaled to a month from its window's length.
``__idle__`` and ``__unallocated__`` are kept: idle capacity is cost too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from pydantic import Field

from nightowl.connectors.base import parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.domain.cost import Allocation
from nightowl.settings import PluginConfig, Settings

HOURS_PER_MONTH = 730.0


class OpenCostConfig(HttpConfig):
    """The OpenCost server (its API, usually port 9003) and the default window."""

    window: str = Field(default="7d", description="OpenCost window: 24h, 7d, lastweek…")


class OpenCost:
    """Reads allocations. Stateless between calls; safe to share."""

    def __init__(
        self,
        name: str,
        config: OpenCostConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name, self.config = name, config
        self.http = HttpBackend(name, config, transport=transport)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> OpenCost:
        return cls(plugin.name, parse_options(OpenCostConfig, plugin))

    async def check(self) -> None:
        """Read one day's allocation: proves the API answers."""
        await self.allocations(window="24h")

    async def allocations(
        self, *, window: str | None = None, aggregate: str = "namespace"
    ) -> list[Allocation]:
        """The cost per ``aggregate`` (namespace, controller, label:app…) over ``window``,
        most expensive first. ConnectorError when OpenCost cannot answer."""
        params = {
            "window": window or self.config.window,
            "aggregate": aggregate,
            "accumulate": "true",
        }
        body = await self.http.get_json("/allocation/compute", params)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise self.http.error("the allocation answer has no data list", retryable=False)
        found = [_allocation(name, a) for step in body["data"] if isinstance(step, dict)
                 for name, a in step.items() if isinstance(a, dict)]  # fmt: skip
        return sorted(found, key=lambda a: a.total, reverse=True)


def _allocation(name: str, raw: dict[str, Any]) -> Allocation:
    window = raw.get("window") or {}
    start, end = str(window.get("start") or ""), str(window.get("end") or "")
    total = float(raw.get("totalCost") or 0.0)
    hours = _hours(start, end)
    return Allocation(
        name=str(raw.get("name") or name),
        window_start=start,
        window_end=end,
        total=round(total, 4),
        cpu=round(float(raw.get("cpuCost") or 0.0), 4),
        ram=round(float(raw.get("ramCost") or 0.0), 4),
        monthly=round(total * HOURS_PER_MONTH / hours, 2) if hours else 0.0,
    )


def _hours(start: str, end: str) -> float:
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max((b - a).total_seconds() / 3600, 0.0)
