"""The read-side contracts: one protocol per kind of data.

Every query takes an absolute time range of aware datetimes (any time zone; a naive datetime is
refused) and is async. Implementations raise ``ConnectorError`` (naming the connector, its URL and
what the backend answered; ``retryable`` says whether trying again may help) and never return
partial data silently; the gather stage turns a failure into 'unavailable' evidence, so a dead
backend degrades the diagnosis instead of failing the incident. Reads are idempotent and safe to
retry; connectors never retry on their own, the caller owns the budget.

A backend whose clock runs ahead of nightowl's is configured with ``clock_skew_seconds``: queries
are shifted into the backend's time and results back into nightowl's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from nightowl.clock import Clock
from nightowl.domain import (
    ClusterEvent,
    Deploy,
    LogLevel,
    LogRecord,
    Pod,
    Rollout,
    Series,
    SignalKind,
)
from nightowl.domain.base import Model
from nightowl.settings import PluginConfig


class LogQuery(Model):
    """Which log records to read: all filters are optional except the time range."""

    service: str | None = None
    levels: tuple[LogLevel, ...] = ()
    start: datetime
    end: datetime
    text: str | None = None
    limit: int = 1000


@runtime_checkable
class Checkable(Protocol):
    """Every connector: ``check`` reaches the backend and runs one sample query.

    Raises ConnectorError saying what failed; returns nothing when the backend is usable.
    """

    name: str

    async def check(self) -> None:
        """Reach the backend and run one sample query; ConnectorError says what failed and where."""


@runtime_checkable
class MetricsSource(Protocol):
    """Metrics: instant and range queries in the backend's language, and a service's golden signals.

    ``query`` evaluates at one instant (one point per series); ``query_range`` every
    ``step_seconds`` in [start, end]. ``service_signals`` holds only the signals the backend has
    data for (a missing metric is not an error; a failing query is).
    """

    name: str

    async def query(self, query: str, at: datetime) -> list[Series]:
        """Evaluate ``query`` (the backend's own language) at instant ``at``: one point per
        series.
        """

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        """Evaluate ``query`` every ``step_seconds`` over [start, end]: one series per label set."""

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        """The golden signals of ``service`` over [start, end], keyed by signal; absent signals
        are missing keys, not errors.
        """


@runtime_checkable
class LogSource(Protocol):
    """Logs: ``search`` returns matching records newest first, at most ``query.limit``.

    ``tail`` yields records from ``query.start`` on, oldest first, as they arrive (``query.end`` and
    ``query.limit`` are ignored). A live tail never ends by itself: the caller stops iterating. A
    replayed one ends with its scenario. Errors are raised from the iteration.
    """

    name: str

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """At most ``query.limit`` records matching ``query``, newest first."""

    def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Records from ``query.start`` on, oldest first, as they arrive; errors surface while
        iterating.
        """


@runtime_checkable
class DeploySource(Protocol):
    """Deploys of a service (or of every service when ``service`` is None) in [start, end], oldest
    first, with version, author, commit and change summary where the backend knows them."""

    name: str

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """Deploys in [start, end], oldest first; every service's when ``service`` is None."""


@runtime_checkable
class ClusterSource(Protocol):
    """Cluster state of a service's workload.

    ``pods`` is the state at ``end`` (a cluster keeps no past: live, ``end`` is now) with each
    container's restarts and last termination (an OOM kill shows there). ``events`` are the
    cluster's events about the service's objects in [start, end], newest first. ``rollouts`` is the
    rollout history the cluster retains, newest revision first.
    """

    name: str

    async def pods(self, service: str | None, start: datetime, end: datetime) -> list[Pod]:
        """The pods of ``service`` (all when None) as they are at ``end``."""

    async def events(
        self, service: str | None, start: datetime, end: datetime
    ) -> list[ClusterEvent]:
        """The cluster's events about ``service``'s objects in [start, end], newest first."""

    async def rollouts(self, service: str) -> list[Rollout]:
        """The rollout history the cluster keeps for ``service``'s workload, newest revision
        first.
        """


@runtime_checkable
class TopologySource(Protocol):
    """The service dependency graph: caller -> callees (sorted, without self-loops)."""

    name: str

    async def dependencies(self) -> dict[str, list[str]]:
        """Caller → its callees, sorted and without self-loops, as the backend knows them now."""


class Ownership(Model):
    """One owner of a service as a backend states it: who, a person or a team, and where it is
    written (the CODEOWNERS line, the annotation) so the graph can cite it."""

    service: str
    owner: str
    team: bool
    provenance: str


@runtime_checkable
class OwnershipSource(Protocol):
    """Who owns each service, as the backend states it now (CODEOWNERS, Kubernetes labels and
    annotations): the source's whole current view, read by the graph's refresh. Raises
    ConnectorError when the backend cannot be read."""

    name: str

    async def owners(self) -> list[Ownership]:
        """Every (service, owner) the backend states, each with its provenance."""


@runtime_checkable
class EndpointSource(Protocol):
    """The names each service is reached by: host names, DNS names, addresses (``host:port``),
    as a service registry, a mesh's service entries, Kubernetes Services or the configuration list
    them. Callers log their dependencies by these names (``api.vendor.example``, a database DSN, a
    broker address), never by the service's name; analysis maps them back. Read once per gather,
    within its budget; a failure degrades the mapping only."""

    name: str

    async def endpoints(self) -> dict[str, list[str]]: ...


@runtime_checkable
class ToolSource(Protocol):
    """A tool server (``kind: mcp``): tools called by name with JSON arguments, answering JSON data.
    ``readable`` are the only tools a caller may use (the allowlist, less the writes); ``call``
    raises ConnectorError for any other, and for a failed, late or oversized answer. The answer
    is untrusted data from outside nightowl."""

    name: str

    @property
    def readable(self) -> list[str]: ...

    async def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        """The tool's answer as JSON data (or text)."""


@runtime_checkable
class TimeSource(Protocol):
    """A connector that serves recorded time (a replayed scenario): the pipeline runs on the clock
    it gives, so every timestamp reads as it did when the data was recorded. The first configured
    one is used; without one the pipeline runs on the wall clock. Called once, when nightowl is
    built; never raises."""

    name: str

    def recorded_clock(self) -> Clock:
        """The clock of the recording: scenario time, whose sleeps skip ahead."""


@runtime_checkable
class DriverSource(Protocol):
    """A connector whose world nightowl can also act on (a simulated cluster): it names the driver
    that acts on that world, as an ``actions.drivers`` entry. With ``actions.driver: simulated``
    (the default) the first configured one's driver is added before the configured drivers."""

    name: str

    def companion_driver(self) -> PluginConfig:
        """The ``actions.drivers`` entry of the driver that acts on this connector's world."""
