"""Replay connectors: the metrics, logs, deploys, cluster state and topology of a scenario.

They implement exactly the protocols of nightowl.connectors, so a scenario and a live system are
interchangeable everywhere. Queries use a small PromQL-like selector: ``signal{service="name"}``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.clock import Clock, ScenarioClock
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import ClusterEvent, Deploy, LogRecord, Pod, Rollout, Series, SignalKind
from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig, Settings
from nightowl_lab.sim.cluster import SimulatedCluster
from nightowl_lab.sim.driver import state_file_for
from nightowl_lab.sim.scenario import Scenario, load_scenario
from nightowl_lab.sim.workload import Workloads
from nightowl_lab.sim.world import World

SELECTOR = re.compile(r'^\s*(\w+)\s*(?:\{\s*service\s*=\s*"([^"]*)"\s*\})?\s*$')


class ReplayConfig(BaseModel):
    """``kind: replay`` — serve a scenario file as if it were a live system."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: Path
    state_file: Path | None = None


class Replay:
    """One replayed scenario, serving every read protocol (metrics, logs, deploys, cluster,
    topology). Live connectors' errors have their replay counterparts: an unknown service or a bad
    query raises ConnectorError. A tail ends with the scenario."""

    def __init__(
        self, name: str, scenario: Scenario, cluster: SimulatedCluster, source: Path | None = None
    ) -> None:
        self.name = name
        self.scenario = scenario
        self.cluster = cluster
        self.source = source
        """The scenario file, for the simulated driver that acts on this replay's cluster."""
        self.world = World(scenario, cluster)
        self.workloads = Workloads(scenario, cluster)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Replay:
        """The replay of one ``connectors`` entry; ConfigError names the bad option."""
        try:
            config = ReplayConfig.model_validate(plugin.options())
        except ValidationError as exc:
            err = exc.errors()[0]
            where = f"connectors.{plugin.name}.{'.'.join(map(str, err['loc']))}"
            raise ConfigError(str(err["msg"]), where=where) from None
        return cls.from_config(plugin.name, config, settings.data_dir)

    @classmethod
    def from_config(cls, name: str, config: ReplayConfig, data_dir: Path) -> Replay:
        """The replay of ``config.scenario``, its simulated cluster state kept under ``data_dir``
        unless ``state_file`` says where.
        """
        scenario = load_scenario(config.scenario)
        state = config.state_file or state_file_for(scenario, data_dir)
        return cls(name, scenario, SimulatedCluster(scenario, state), config.scenario)

    def recorded_clock(self) -> Clock:
        """Scenario time from the page on: the pipeline's clock while it replays (TimeSource)."""
        return ScenarioClock(self.scenario.page_time)

    def companion_driver(self) -> PluginConfig:
        """The ``simulated`` driver on this replay's cluster: its scenario and state file."""
        if self.source is None:
            raise ConfigError(f"replay {self.name!r} was built without its scenario file")
        return PluginConfig.model_validate(
            {
                "name": "simulated",
                "kind": "simulated",
                "scenario": str(self.source),
                "state_file": str(self.cluster.path),
            }
        )

    async def check(self) -> None:
        """Look up the scenario's first service: proves the replay is loaded and serves it."""
        self._service(next(iter(self.scenario.services)))

    async def query(self, query: str, at: datetime) -> list[Series]:
        """The last point at or before ``at`` of every series the selector names."""
        step = self.scenario.step_seconds
        found = await self.query_range(query, at - timedelta(seconds=step), at, step)
        return [
            s.model_copy(update={"timestamps": s.timestamps[-1:], "values": s.values[-1:]})
            for s in found
        ]

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        """``signal{service="name"}`` over [start, end] (every service without the label
        matcher); ConnectorError, not retryable, for any other query.
        """
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
        """Every golden signal of ``service`` over the window, as the scenario and its cluster
        state make it.
        """
        return {s: self._series(service, s, start, end, step_seconds) for s in SignalKind}

    def _series(
        self, service: str, signal: SignalKind, start: datetime, end: datetime, step: int
    ) -> Series:
        return self.world.series(self._service(service), signal, start, end, step)

    def _service(self, service: str) -> str:
        if service not in self.scenario.services:
            raise ConnectorError(
                f"no service {service!r} in scenario {self.scenario.name!r}",
                connector=self.name,
                retryable=False,
            )
        return service

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """The scenario's log lines in the window that pass the query, newest first, at most the
        limit.
        """
        lines = self.world.logs(query.start, query.end)
        return [r for r in reversed(lines) if _matches(r, query)][: query.limit]

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """The matching lines from ``query.start`` to the scenario's end, oldest first; then it
        ends.
        """
        for record in self.world.logs(query.start, self.scenario.end):
            if _matches(record, query):
                yield record

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """The scenario's deploys (and the simulated driver's rollbacks) in the window."""
        return [
            d for d in self.world.deploys(start, end) if service is None or d.service == service
        ]

    async def pods(self, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """The pods of the service (every service when None) at ``end``, with the faults'
        restarts.
        """
        services = [self._service(service)] if service else sorted(self.scenario.services)
        return [p for s in services for p in self.workloads.pods(s, end)]

    async def events(
        self, service: str | None, start: datetime, end: datetime
    ) -> list[ClusterEvent]:
        """The cluster events of the service (all when None) in the window."""
        return self.workloads.events(service and self._service(service), start, end)

    async def rollouts(self, service: str) -> list[Rollout]:
        """The service's rollout history, as the scenario and the simulated driver left it."""
        return self.workloads.rollouts(self._service(service))

    async def dependencies(self) -> dict[str, list[str]]:
        """The scenario's call graph: each service and the services it calls."""
        return self.scenario.topology()

    async def endpoints(self) -> dict[str, list[str]]:
        """The names each service is reached by (``hosts`` in the scenario), as a service
        registry, a mesh's service entries or an internal DNS zone would list them."""
        return {name: list(spec.hosts) for name, spec in self.scenario.services.items()}


def _matches(record: LogRecord, query: LogQuery) -> bool:
    text = query.text.lower() if query.text else None
    return (
        (query.service is None or record.service == query.service)
        and (not query.levels or record.level in query.levels)
        and (text is None or text in record.message.lower())
    )
