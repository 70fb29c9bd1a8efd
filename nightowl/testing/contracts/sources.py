"""Contracts of the read-side protocols (``nightowl.connectors.protocols``).

Each contract asks for the source (a fixture named after it) and a case saying where its data is
(a service and a window holding at least one point, record or deploy). The tests check the
protocol's shape and its documented behaviour: results typed, inside the window, in the
documented order, within the limit and the filters.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from nightowl.connectors import protocols
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import ClusterEvent, Deploy, LogRecord, Pod, Rollout, Series, SignalKind
from nightowl.domain.base import Model
from nightowl.testing.contracts.shape import same_shape


class MetricsCase(Model):
    """A service with data in [start, end], and an instant query that returns some."""

    service: str
    start: datetime
    end: datetime
    step_seconds: int = 30
    query: str


class LogCase(Model):
    """A query matching at least one record (``limit`` small enough to be reached or not)."""

    query: LogQuery


class DeployCase(Model):
    """A service with at least one deploy in [start, end]."""

    service: str
    start: datetime
    end: datetime


class ClusterCase(Model):
    """A service with pods, and a window of its events."""

    service: str
    start: datetime
    end: datetime


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


class MetricsSourceContract:
    """Run the MetricsSource contract: fixtures ``metrics_source`` and ``metrics_case``."""

    def test_metrics_shape(self, metrics_source: Any) -> None:
        """The source satisfies MetricsSource with the protocol's own signatures."""
        assert isinstance(metrics_source, protocols.MetricsSource)
        same_shape(protocols.MetricsSource, type(metrics_source))

    def test_signals_are_the_services_inside_the_window(
        self, metrics_source: Any, metrics_case: MetricsCase
    ) -> None:
        """Golden signals come keyed by SignalKind, time-ordered, within the window (one step of
        slack).
        """
        c = metrics_case
        got = _run(metrics_source.service_signals(c.service, c.start, c.end, c.step_seconds))
        assert got
        for kind, series in got.items():
            assert isinstance(kind, SignalKind)
            assert isinstance(series, Series)
            assert list(series.timestamps) == sorted(series.timestamps)
            slack = c.step_seconds
            assert all(
                c.start.timestamp() - slack <= t <= c.end.timestamp() + slack
                for t in series.timestamps
            )

    def test_an_instant_query_is_one_point_per_series(
        self, metrics_source: Any, metrics_case: MetricsCase
    ) -> None:
        """An instant query returns one point per series."""
        found = _run(metrics_source.query(metrics_case.query, metrics_case.end))
        assert found
        assert all(isinstance(s, Series) and len(s.values) == 1 for s in found)


class LogSourceContract:
    """Run the LogSource contract: fixtures ``log_source`` and ``log_case``."""

    def test_logs_shape(self, log_source: Any) -> None:
        """The source satisfies LogSource with the protocol's own signatures."""
        assert isinstance(log_source, protocols.LogSource)
        same_shape(protocols.LogSource, type(log_source))

    def test_search_is_newest_first_in_the_window_and_the_limit(
        self, log_source: Any, log_case: LogCase
    ) -> None:
        """A search stays in the window, the limit and the filters, newest first."""
        q = log_case.query
        found = _run(log_source.search(q))
        assert 0 < len(found) <= q.limit
        assert all(isinstance(r, LogRecord) and q.start <= r.timestamp <= q.end for r in found)
        assert [r.timestamp for r in found] == sorted((r.timestamp for r in found), reverse=True)
        assert all(q.service is None or r.service == q.service for r in found)
        assert all(not q.levels or r.level in q.levels for r in found)


class DeploySourceContract:
    """Run the DeploySource contract: fixtures ``deploy_source`` and ``deploy_case``."""

    def test_deploys_shape(self, deploy_source: Any) -> None:
        """The source satisfies DeploySource with the protocol's own signatures."""
        assert isinstance(deploy_source, protocols.DeploySource)
        same_shape(protocols.DeploySource, type(deploy_source))

    def test_deploys_are_the_services_oldest_first_in_the_window(
        self, deploy_source: Any, deploy_case: DeployCase
    ) -> None:
        """One service's deploys are in the window, oldest first, and among every service's."""
        c = deploy_case
        found = _run(deploy_source.deploys(c.service, c.start, c.end))
        assert found
        assert all(isinstance(d, Deploy) and d.service == c.service for d in found)
        assert all(c.start <= d.at <= c.end for d in found)
        assert [d.at for d in found] == sorted(d.at for d in found)
        everyone = _run(deploy_source.deploys(None, c.start, c.end))
        assert {(d.service, d.version, d.at) for d in found} <= {
            (d.service, d.version, d.at) for d in everyone
        }


class ClusterSourceContract:
    """Run the ClusterSource contract: fixtures ``cluster_source`` and ``cluster_case``."""

    def test_cluster_shape(self, cluster_source: Any) -> None:
        """The source satisfies ClusterSource with the protocol's own signatures."""
        assert isinstance(cluster_source, protocols.ClusterSource)
        same_shape(protocols.ClusterSource, type(cluster_source))

    def test_pods_events_and_rollouts_of_the_service(
        self, cluster_source: Any, cluster_case: ClusterCase
    ) -> None:
        """Pods, events and rollouts are the service's; events newest first in the window,
        rollouts newest revision first.
        """
        c = cluster_case
        pods = _run(cluster_source.pods(c.service, c.start, c.end))
        assert pods
        assert all(isinstance(p, Pod) and p.service == c.service for p in pods)
        events = _run(cluster_source.events(c.service, c.start, c.end))
        assert all(isinstance(e, ClusterEvent) and c.start <= e.at <= c.end for e in events)
        assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
        rollouts = _run(cluster_source.rollouts(c.service))
        assert all(isinstance(r, Rollout) and r.service == c.service for r in rollouts)
        revisions = [r.revision for r in rollouts]
        assert revisions == sorted(revisions, reverse=True)


class TopologySourceContract:
    """Run the TopologySource contract: fixture ``topology_source`` (with at least one edge)."""

    def test_topology_shape(self, topology_source: Any) -> None:
        """The source satisfies TopologySource with the protocol's own signatures."""
        assert isinstance(topology_source, protocols.TopologySource)
        same_shape(protocols.TopologySource, type(topology_source))

    def test_dependencies_are_a_graph_without_self_loops(self, topology_source: Any) -> None:
        """The graph has edges, string names, and no service calling itself."""
        graph = _run(topology_source.dependencies())
        assert any(graph.values())
        for caller, callees in graph.items():
            assert isinstance(caller, str)
            assert all(isinstance(c, str) for c in callees)
            assert caller not in callees


__all__ = [
    "ClusterCase",
    "ClusterSourceContract",
    "DeployCase",
    "DeploySourceContract",
    "LogCase",
    "LogSourceContract",
    "MetricsCase",
    "MetricsSourceContract",
    "TopologySourceContract",
]
