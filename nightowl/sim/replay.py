"""Replay connectors: the metrics, logs, deploys and topology of a scenario, in the live shapes.

They implement exactly the protocols of nightowl.connectors, so a scenario and a live system are
interchangeable everywhere. Queries use a small PromQL-like selector: ``signal{service="name"}``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import Deploy, LogRecord, Series, SignalKind
from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig, Settings
from nightowl.sim.cluster import SimulatedCluster
from nightowl.sim.scenario import Scenario, load_scenario
from nightowl.sim.world import World

SELECTOR = re.compile(r'^\s*(\w+)\s*(?:\{\s*service\s*=\s*"([^"]*)"\s*\})?\s*$')


class ReplayConfig(BaseModel):
    """``kind: replay`` — serve a scenario file as if it were a live system."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: Path
    state_file: Path | None = None


class Replay:
    """One replayed scenario, serving every read protocol (metrics, logs, deploys, topology)."""

    def __init__(self, name: str, scenario: Scenario, cluster: SimulatedCluster) -> None:
        self.name = name
        self.scenario = scenario
        self.cluster = cluster
        self.world = World(scenario, cluster)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Replay:
        try:
            config = ReplayConfig.model_validate(plugin.options())
        except ValidationError as exc:
            err = exc.errors()[0]
            where = f"connectors.{plugin.name}.{'.'.join(map(str, err['loc']))}"
            raise ConfigError(str(err["msg"]), where=where) from None
        return cls.from_config(plugin.name, config, settings.data_dir)

    @classmethod
    def from_config(cls, name: str, config: ReplayConfig, data_dir: Path) -> Replay:
        scenario = load_scenario(config.scenario)
        state = config.state_file or data_dir / "sim" / f"{scenario.name}.cluster.json"
        return cls(name, scenario, SimulatedCluster(scenario, state))

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        match = SELECTOR.match(query)
        if not match or match.group(1) not in SignalKind.__members__.values():
            known = ", ".join(s.value for s in SignalKind)
            raise ConnectorError(
                f'cannot read query {query!r}: use signal{{service="name"}} with a signal of {known}',
                connector=self.name,
                retryable=False,
            )
        signal, service = SignalKind(match.group(1)), match.group(2)
        services = [service] if service else sorted(self.scenario.services)
        return [self._series(s, signal, start, end, step_seconds) for s in services]

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        return {s: self._series(service, s, start, end, step_seconds) for s in SignalKind}

    def _series(
        self, service: str, signal: SignalKind, start: datetime, end: datetime, step: int
    ) -> Series:
        if service not in self.scenario.services:
            raise ConnectorError(
                f"no service {service!r} in scenario {self.scenario.name!r}",
                connector=self.name,
                retryable=False,
            )
        return self.world.series(service, signal, start, end, step)

    async def search(self, query: LogQuery) -> list[LogRecord]:
        lines = self.world.logs(query.start, query.end)
        text = query.text.lower() if query.text else None
        found = [
            r
            for r in reversed(lines)
            if (query.service is None or r.service == query.service)
            and (not query.levels or r.level in query.levels)
            and (text is None or text in r.message.lower())
        ]
        return found[: query.limit]

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        return [
            d for d in self.world.deploys(start, end) if service is None or d.service == service
        ]

    async def dependencies(self) -> dict[str, list[str]]:
        return self.scenario.topology()
