"""The read side of one process: connectors sorted by the protocols each implements (one may
serve several kinds), with the names that serve each kind."""

from __future__ import annotations

from nightowl.connectors.sources import Sources
from nightowl.connectors.static import StaticConfig, StaticTopology
from nightowl.testing.sources import FakeCluster, FakeDeploys, FakeLogs, FakeMetrics


def test_each_connector_serves_the_kinds_it_implements() -> None:
    metrics, logs = FakeMetrics({}, name="prom"), FakeLogs([], name="loki")
    deploys, cluster = FakeDeploys([], name="gh"), FakeCluster(name="k8s")
    graph = StaticTopology("graph", StaticConfig(services={"web": ["api"]}))
    sources = Sources.of([metrics, logs, deploys, cluster, graph, object()])
    assert sources.metrics == (metrics,)
    assert sources.logs == (logs,)
    assert sources.deploys == (deploys,)
    assert sources.cluster == (cluster,)
    assert sources.topology == (graph,)
    assert sources.names == {"metrics": "prom", "logs": "loki", "deploys": "gh", "cluster": "k8s"}


def test_without_connectors_every_kind_is_none() -> None:
    sources = Sources.of([])
    assert sources.metrics == sources.logs == sources.deploys == ()
    assert set(sources.names.values()) == {"none"}


def test_several_connectors_of_a_kind_are_all_named_in_order() -> None:
    sources = Sources.of([FakeLogs([], name="files"), FakeLogs([], name="journal")])
    assert [s.name for s in sources.logs] == ["files", "journal"]
    assert sources.names["logs"] == "files,journal"
