"""In-process fakes of the read-side protocols, serving the data they are built with.

Each honours its protocol's contract (windows, order, limits, filters) so a test of code that
reads connectors can use them in place of a live backend. ``error`` makes every call raise
ConnectorError (a dead backend). Not thread-safe; the data is not copied.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from datetime import datetime

from nightowl.connectors.protocols import LogQuery
from nightowl.domain import ClusterEvent, Deploy, LogRecord, Pod, Rollout, Series, SignalKind
from nightowl.errors import ConnectorError

SELECTOR = re.compile(r'^\s*(\w+)\s*(?:\{\s*service\s*=\s*"([^"]*)"\s*\})?\s*$')
"""``signal{service="name"}``: the query language of FakeMetrics (and of the replay)."""


class _Fake:
    def __init__(self, name: str, error: str | None) -> None:
        self.name = name
        self.error = error

    def _fail(self) -> None:
        if self.error is not None:
            raise ConnectorError(self.error, connector=self.name)

    async def check(self) -> None:
        """Nothing to reach: raises only when built with ``error``."""
        self._fail()


def _window(series: Series, start: datetime, end: datetime) -> Series:
    keep = [i for i, t in enumerate(series.timestamps) if start.timestamp() <= t <= end.timestamp()]
    return series.model_copy(
        update={
            "timestamps": tuple(series.timestamps[i] for i in keep),
            "values": tuple(series.values[i] for i in keep),
        }
    )


class FakeMetrics(_Fake):
    """A MetricsSource over ``signals[service][signal]``: series cut to the asked window.

    Queries are ``signal{service="name"}`` (or ``signal`` for every service); anything else, or
    an unknown service, raises ConnectorError (not retryable), as a backend refuses a bad query.
    ``step_seconds`` is ignored: the series keep their own points.
    """

    def __init__(
        self,
        signals: Mapping[str, Mapping[SignalKind, Series]],
        name: str = "fake-metrics",
        error: str | None = None,
    ) -> None:
        super().__init__(name, error)
        self.signals = signals

    async def query(self, query: str, at: datetime) -> list[Series]:
        """The last point at or before ``at`` of every series the query selects."""
        found = [
            _window(s, datetime.min.replace(tzinfo=at.tzinfo), at) for s in self._select(query)
        ]
        return [
            s.model_copy(update={"timestamps": s.timestamps[-1:], "values": s.values[-1:]})
            for s in found
            if s.timestamps
        ]

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        """The selected series cut to [start, end] (the step is ignored: points are served as
        given).
        """
        return [_window(s, start, end) for s in self._select(query)]

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        """The service's signals cut to [start, end]; ConnectorError when built with ``error``."""
        self._fail()
        return {k: _window(s, start, end) for k, s in self.signals.get(service, {}).items()}

    def _select(self, query: str) -> list[Series]:
        self._fail()
        match = SELECTOR.match(query)
        if not match or match.group(1) not in SignalKind.__members__.values():
            raise ConnectorError(
                f"cannot read query {query!r}", connector=self.name, retryable=False
            )
        signal, service = SignalKind(match.group(1)), match.group(2)
        if service is not None and service not in self.signals:
            raise ConnectorError(f"no service {service!r}", connector=self.name, retryable=False)
        services = [service] if service else sorted(self.signals)
        return [self.signals[s][signal] for s in services if signal in self.signals[s]]


def _matches(record: LogRecord, query: LogQuery) -> bool:
    text = query.text.lower() if query.text else None
    return (
        (query.service is None or record.service == query.service)
        and (not query.levels or record.level in query.levels)
        and (text is None or text in record.message.lower())
    )


class FakeLogs(_Fake):
    """A LogSource over ``records``: search newest first within the window and the limit;
    ``tail`` yields the matching records from ``query.start`` on, oldest first, then ends."""

    def __init__(
        self, records: list[LogRecord], name: str = "fake-logs", error: str | None = None
    ) -> None:
        super().__init__(name, error)
        self.records = records

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """Records in the window passing the query's filters, newest first, at most
        ``query.limit``.
        """
        self._fail()
        found = [
            r
            for r in self.records
            if query.start <= r.timestamp <= query.end and _matches(r, query)
        ]
        return sorted(found, key=lambda r: r.timestamp, reverse=True)[: query.limit]

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Every record from ``query.start`` on that passes the filters, oldest first; then it
        ends.
        """
        self._fail()
        for record in sorted(self.records, key=lambda r: r.timestamp):
            if record.timestamp >= query.start and _matches(record, query):
                yield record


class FakeDeploys(_Fake):
    """A DeploySource over ``deploys``: those of the service (or all) in the window, oldest first."""

    def __init__(
        self, deploys: list[Deploy], name: str = "fake-deploys", error: str | None = None
    ) -> None:
        super().__init__(name, error)
        self.found = deploys

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """The deploys of ``service`` (all when None) in [start, end], oldest first."""
        self._fail()
        hits = [d for d in self.found if service in (None, d.service) and start <= d.at <= end]
        return sorted(hits, key=lambda d: d.at)


class FakeCluster(_Fake):
    """A ClusterSource over fixed pods, events and rollouts (a cluster keeps no past: ``pods``
    ignores the window); events in the window newest first, rollouts newest revision first."""

    def __init__(
        self,
        pods: list[Pod] = [],  # noqa: B006 — never mutated
        events: list[ClusterEvent] = [],  # noqa: B006
        rollouts: list[Rollout] = [],  # noqa: B006
        name: str = "fake-cluster",
        error: str | None = None,
    ) -> None:
        super().__init__(name, error)
        self.found_pods, self.found_events, self.found_rollouts = pods, events, rollouts

    async def pods(self, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """The pods of ``service`` (all when None), as built: the fake keeps no history."""
        self._fail()
        return [p for p in self.found_pods if service in (None, p.service)]

    async def events(
        self, service: str | None, start: datetime, end: datetime
    ) -> list[ClusterEvent]:
        """The events of ``service`` (all when None) in [start, end], newest first."""
        self._fail()
        hits = [
            e for e in self.found_events if service in (None, e.service) and start <= e.at <= end
        ]
        return sorted(hits, key=lambda e: e.at, reverse=True)

    async def rollouts(self, service: str) -> list[Rollout]:
        """The rollouts of ``service``, newest revision first."""
        self._fail()
        hits = [r for r in self.found_rollouts if r.service == service]
        return sorted(hits, key=lambda r: r.revision, reverse=True)


class FakeTopology(_Fake):
    """A TopologySource over a caller → callees graph, served sorted and without self-loops."""

    def __init__(
        self, graph: Mapping[str, list[str]], name: str = "fake-topology", error: str | None = None
    ) -> None:
        super().__init__(name, error)
        self.graph = graph

    async def dependencies(self) -> dict[str, list[str]]:
        """The graph as built, callees sorted and without self-loops."""
        self._fail()
        return {k: sorted({c for c in v if c != k}) for k, v in sorted(self.graph.items())}
