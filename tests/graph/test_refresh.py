"""Refreshing the graph from real connector data: owners from the config, CODEOWNERS (GitHub's
documented REST answers through httpx.MockTransport: GitHub cannot run here) and Kubernetes
annotations (the kmock API emulator), dependencies from the cluster's Services, deploys from
GitHub's deployments and Argo CD's sync history (documented answers too); a source that fails is reported and keeps its edges; a source's removed
owner is dropped on the next refresh. On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from asyncio import run
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from nightowl_lab.harness.kube import KubeEmulator

from nightowl.connectors.github import GitHub, GitHubConfig
from nightowl.connectors.kubernetes.connector import Kubernetes, KubernetesConfig
from nightowl.connectors.sources import Sources
from nightowl.graph.knowledge import Knowledge
from nightowl.graph.refresh import Refresh
from nightowl.settings.people import GraphSettings
from nightowl.store import create_engine_for, migrate
from nightowl.store.graph import GraphStore
from tests.connectors.test_argocd import NEW as ARGO_NEW
from tests.connectors.test_argocd import T0 as ARGO_T0
from tests.connectors.test_argocd import argocd

NOW = datetime.now(UTC).replace(microsecond=0)
NS = "shop"
SHA = "9f2c1e7a" + "0" * 32


class FakeGitHub:
    """GitHub's REST API as documented, serving one repository, with a CODEOWNERS that tests may
    rewrite and a switch to answer 503."""

    def __init__(self) -> None:
        self.codeowners = "* @acme/platform\n/services/payments/ @acme/pay @ana\n"
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(503, json={"message": "Service Unavailable"})
        path = request.url.path
        if path == "/repos/acme/shop/contents/.github/CODEOWNERS":
            content = base64.encodebytes(self.codeowners.encode()).decode()
            return httpx.Response(200, json={"type": "file", "encoding": "base64",
                                             "path": ".github/CODEOWNERS", "content": content})  # fmt: skip
        if path == "/repos/acme/shop/deployments":
            at = (NOW - timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return httpx.Response(200, json=[{
                "id": 7, "sha": SHA, "ref": "v3.1.0", "task": "deploy", "environment": "production",
                "payload": {"service": "payments"}, "creator": {"login": "bob", "type": "User"},
                "description": "Raise pool size (#812)", "created_at": at, "updated_at": at,
            }])  # fmt: skip
        return httpx.Response(404, json={"message": "Not Found"})


@pytest.fixture
def graph(database_url: str) -> Iterator[GraphStore]:
    engine = create_engine_for(database_url)
    migrate(engine)
    yield GraphStore(engine)
    engine.dispose()


@pytest.fixture
def cluster(kube: KubeEmulator) -> KubeEmulator:
    def svc(name: str, annotations: dict[str, str]) -> dict[str, Any]:
        return {"metadata": {"name": name, "namespace": NS, "annotations": annotations}}

    kube.add("v1/services", NS, svc("frontend", {"nightowl.dev/calls": "checkout"}))
    kube.add("v1/services", NS, svc("checkout", {"nightowl.dev/calls": "payments",
                                                 "nightowl.dev/team": "shop-team"}))  # fmt: skip
    kube.add("v1/services", NS, svc("payments", {"nightowl.dev/owner": "carla"}))
    for kind in ("v1/endpoints", "v1/pods", "apps/v1/deployments", "apps/v1/replicasets"):
        kube.declare(kind)
    return kube


def sources(cluster: KubeEmulator, github: FakeGitHub) -> Sources:
    gh = GitHub("github", GitHubConfig.model_validate({
        "repo": "acme/shop", "summarize": False,
        "owned_paths": {"payments": "services/payments", "checkout": "services/checkout"},
    }), transport=httpx.MockTransport(github))  # fmt: skip
    k8s = Kubernetes(
        "k8s", KubernetesConfig.model_validate({"url": cluster.url, "namespaces": [NS]})
    )
    return Sources.of([gh, k8s])


SETTINGS = GraphSettings(
    owners={"payments": ["team:payments-oncall"]}, on_call={"payments": ["dana"]}
)


def test_the_graph_answers_who_owns_and_who_changed_from_the_connectors(
    graph: GraphStore, cluster: KubeEmulator
) -> None:
    results = run(Refresh(sources(cluster, FakeGitHub()), SETTINGS, graph).run(NOW))
    assert [(r.source, r.kind, r.error) for r in results] == [
        ("config", "owners", None), ("k8s", "topology", None), ("github", "owners", None),
        ("k8s", "owners", None), ("github", "deploys", None), ("k8s", "deploys", None),
        ("retention", "events", None),
    ]  # fmt: skip
    card = Knowledge(graph, SETTINGS).card("payments", NOW)
    assert [(o.name, o.kind, o.sources) for o in card.owners] == [
        ("acme/pay", "team", ("github",)),
        ("ana", "person", ("github",)),
        ("carla", "person", ("k8s",)),
        ("payments-oncall", "team", ("config",)),
    ]
    assert [o.name for o in card.on_call] == ["dana"]
    assert [(r.service, r.hops) for r in card.dependents] == [("checkout", 1), ("frontend", 2)]
    assert card.fan_in == 2
    (change,) = card.changes
    assert (change.version, change.author, change.commit, change.pr) == (
        "v3.1.0",
        "bob",
        SHA,
        "812",
    )
    assert change.at == NOW - timedelta(minutes=40)
    # checkout's own owners come from CODEOWNERS' root rule and the cluster's team annotation
    checkout = Knowledge(graph, SETTINGS).card("checkout", NOW)
    assert [o.name for o in checkout.owners] == ["acme/platform", "shop-team"]
    # who changed checkout: nobody, but its dependency payments did, one call away
    changed = Knowledge(graph, SETTINGS).who_changed("checkout", NOW - timedelta(hours=2), NOW)
    assert [(c.service, c.author, c.hops) for c in changed] == [("payments", "bob", 1)]
    assert (
        Knowledge(graph, SETTINGS).who_changed("checkout", NOW - timedelta(hours=2), NOW, hops=0)
        == []
    )


def test_a_failing_source_is_reported_and_keeps_its_edges(
    graph: GraphStore, cluster: KubeEmulator
) -> None:
    github = FakeGitHub()
    run(Refresh(sources(cluster, github), SETTINGS, graph).run(NOW))
    github.down = True
    later = NOW + timedelta(minutes=5)
    results = run(Refresh(sources(cluster, github), SETTINGS, graph).run(later))
    failed = {(r.source, r.kind): r.error for r in results if r.error}
    assert set(failed) == {("github", "owners"), ("github", "deploys")}
    assert "503" in (failed[("github", "owners")] or "")
    card = Knowledge(graph, SETTINGS).card("payments", later)
    assert "acme/pay" in [o.name for o in card.owners]  # the last good view stands


def test_an_owner_removed_at_the_source_is_dropped_on_the_next_refresh(
    graph: GraphStore, cluster: KubeEmulator
) -> None:
    github = FakeGitHub()
    run(Refresh(sources(cluster, github), SETTINGS, graph).run(NOW))
    github.codeowners = "* @acme/platform\n/services/payments/ @acme/pay\n"
    fewer = GraphSettings(owners={}, on_call={"payments": ["dana"]})
    later = NOW + timedelta(minutes=5)
    results = run(Refresh(sources(cluster, github), fewer, graph).run(later))
    removed = {(r.source, r.kind): r.removed for r in results}
    assert removed[("github", "owners")] == 1
    assert removed[("config", "owners")] == 1
    card = Knowledge(graph, fewer).card("payments", later)
    assert [o.name for o in card.owners] == ["acme/pay", "carla"]


def test_argo_cd_sync_history_answers_who_changed(graph: GraphStore) -> None:
    settings = GraphSettings(changes_hours=48)
    argo = argocd(applications={"checkout": "checkout-prod"})
    run(Refresh(Sources.of([argo]), settings, graph).run(ARGO_T0))
    changed = Knowledge(graph, settings).who_changed(
        "checkout", ARGO_T0 - timedelta(hours=1), ARGO_T0
    )
    assert [(c.author, c.commit, c.source) for c in changed] == [
        ("alice", ARGO_NEW, "argocd:checkout-prod")
    ]
