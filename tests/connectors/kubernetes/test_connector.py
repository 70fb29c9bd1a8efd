"""The Kubernetes connector (official client) against the kmock API emulator: pods with an OOM
kill, events, ReplicaSet revisions as rollouts and deploys, pod logs, and the service graph from
Services, Endpoints and pod environments. No kube-apiserver can run here; kmock serves the API."""

from __future__ import annotations

from asyncio import run
from datetime import UTC, datetime, timedelta, timezone

import pytest
from nightowl_lab.harness.kube import KubeEmulator
from nightowl_lab.harness.ports import free_port

from nightowl.connectors.kubernetes.connector import Kubernetes, KubernetesConfig
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel
from nightowl.errors import ConnectorError

NS = "shop"
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(name: str, service: str, *, oom: bool = False, restarts: int = 0) -> dict[str, object]:
    last = {"terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": iso(T0)}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": service}},
        "spec": {
            "nodeName": "node-1",
            "containers": [
                {
                    "name": service,
                    "image": f"registry/{service}:v2.0.0",
                    "env": [{"name": "PAYMENTS_URL", "value": "http://payments.shop.svc:8080/"}]
                    if service == "checkout"
                    else [],
                }
            ],
        },
        "status": {
            "phase": "Running",
            "startTime": iso(T0 - timedelta(hours=1)),
            "containerStatuses": [
                {
                    "name": service,
                    "image": f"registry/{service}:v2.0.0",
                    "ready": True,
                    "restartCount": restarts,
                    "state": {"running": {"startedAt": iso(T0)}},
                    "lastState": last if oom else {},
                }
            ],
        },
    }


def replica_set(service: str, revision: int, version: str, at: datetime) -> dict[str, object]:
    return {
        "metadata": {
            "name": f"{service}-{version.replace('.', '')}",
            "creationTimestamp": iso(at),
            "labels": {"app.kubernetes.io/name": service},
            "annotations": {
                "deployment.kubernetes.io/revision": str(revision),
                "kubernetes.io/change-cause": f"deploy {version}",
            },
            "ownerReferences": [{"kind": "Deployment", "name": service}],
        },
        "spec": {
            "template": {"spec": {"containers": [{"image": f"registry/{service}:{version}"}]}}
        },
        "status": {"replicas": 2, "readyReplicas": 2},
    }


def event(
    name: str, kind: str, reason: str, at: datetime, type_: str = "Warning"
) -> dict[str, object]:
    return {
        "metadata": {"name": f"{name}.{reason.lower()}"},
        "involvedObject": {"kind": kind, "name": name, "namespace": NS},
        "reason": reason,
        "message": f"{reason} on {name}",
        "type": type_,
        "count": 3,
        "lastTimestamp": iso(at),
    }


@pytest.fixture
def cluster(kube: KubeEmulator) -> KubeEmulator:
    kube.add("v1/pods", NS, pod("checkout-7d9f-abcde", "checkout", oom=True, restarts=4))
    kube.add("v1/pods", NS, pod("payments-5c6b-fghij", "payments"))
    kube.add(
        "apps/v1/replicasets", NS, replica_set("checkout", 1, "v1.9.0", T0 - timedelta(days=2))
    )
    kube.add(
        "apps/v1/replicasets", NS, replica_set("checkout", 2, "v2.0.0", T0 - timedelta(minutes=20))
    )
    kube.add(
        "v1/events", NS, event("checkout-7d9f-abcde", "Pod", "BackOff", T0 - timedelta(minutes=5))
    )
    kube.add(
        "v1/events",
        NS,
        event("checkout", "Deployment", "ScalingReplicaSet", T0 - timedelta(minutes=20), "Normal"),
    )
    kube.add(
        "v1/events", NS, event("payments-5c6b-fghij", "Pod", "Unhealthy", T0 - timedelta(days=1))
    )
    return kube


def connector(url: str, **options: object) -> Kubernetes:
    return Kubernetes(
        "k8s", KubernetesConfig.model_validate({"url": url, "namespaces": [NS], **options})
    )


def test_pods_report_restarts_and_oom_kills(cluster: KubeEmulator) -> None:
    pods = run(connector(cluster.url).pods("checkout", T0 - timedelta(hours=1), T0))
    assert [p.name for p in pods] == ["checkout-7d9f-abcde"]
    (found,) = pods
    assert (found.service, found.version, found.phase, found.node) == (
        "checkout",
        "v2.0.0",
        "Running",
        "node-1",
    )
    assert found.restarts == 4
    assert found.oom_kills == 1
    assert found.containers[0].last_terminated_at == T0
    assert found.containers[0].last_exit_code == 137


def test_events_are_attributed_to_services_and_bounded_in_time(cluster: KubeEmulator) -> None:
    events = run(connector(cluster.url).events("checkout", T0 - timedelta(hours=1), T0))
    assert [(e.reason, e.object) for e in events] == [
        ("BackOff", "Pod/checkout-7d9f-abcde"),
        ("ScalingReplicaSet", "Deployment/checkout"),
    ]
    assert all(e.service == "checkout" for e in events)
    everything = run(connector(cluster.url).events(None, T0 - timedelta(days=2), T0))
    assert {e.service for e in everything} == {"checkout", "payments"}


def test_replica_set_revisions_are_the_rollout_history_and_deploys(cluster: KubeEmulator) -> None:
    k8s = connector(cluster.url)
    rollouts = run(k8s.rollouts("checkout"))
    assert [(r.revision, r.version) for r in rollouts] == [(2, "v2.0.0"), (1, "v1.9.0")]
    assert rollouts[0].change_cause == "deploy v2.0.0"
    deploys = run(k8s.deploys("checkout", T0 - timedelta(hours=1), T0))
    assert len(deploys) == 1
    assert (deploys[0].version, deploys[0].previous_version) == ("v2.0.0", "v1.9.0")
    assert deploys[0].at == T0 - timedelta(minutes=20)


def test_pod_logs_are_searched_by_level_and_text(cluster: KubeEmulator) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    lines = "".join(
        f"{iso(now - timedelta(seconds=s))} {text}\n"
        for s, text in [(50, "INFO started"), (30, "ERROR payment timed out"), (10, "WARN slow")]
    )
    cluster.pod_log("checkout-7d9f-abcde", lines)
    query = LogQuery(
        service="checkout",
        start=now - timedelta(minutes=5),
        end=now,
        levels=(LogLevel.ERROR, LogLevel.WARN),
    )
    found = run(connector(cluster.url).search(query))
    assert [r.message for r in found] == ["WARN slow", "ERROR payment timed out"]
    assert found[0].labels == {"pod": "checkout-7d9f-abcde", "container": "checkout"}
    only = run(connector(cluster.url).search(query.model_copy(update={"text": "TIMED"})))
    assert [r.level for r in only] == [LogLevel.ERROR]


def test_topology_from_services_endpoints_and_pod_environment(cluster: KubeEmulator) -> None:
    for name in ("checkout", "payments"):
        cluster.add("v1/services", NS, {"metadata": {"name": name}})
    cluster.add(
        "v1/services",
        NS,
        {"metadata": {"name": "frontend", "annotations": {"nightowl.dev/calls": "checkout"}}},
    )
    cluster.add(
        "v1/endpoints",
        NS,
        {
            "metadata": {"name": "checkout"},
            "subsets": [
                {
                    "addresses": [
                        {
                            "ip": "10.0.0.1",
                            "targetRef": {
                                "kind": "Pod",
                                "name": "checkout-7d9f-abcde",
                                "namespace": NS,
                            },
                        }
                    ]
                }
            ],
        },
    )
    graph = run(connector(cluster.url).dependencies())
    assert graph == {"checkout": ["payments"], "frontend": ["checkout"], "payments": []}


def test_non_utc_ranges_and_clock_skew(cluster: KubeEmulator) -> None:
    paris = timezone(timedelta(hours=1))
    events = run(
        connector(cluster.url).events(
            "checkout", (T0 - timedelta(hours=1)).astimezone(paris), T0.astimezone(paris)
        )
    )
    assert len(events) == 2
    # the API server's clock runs 10 minutes ahead: its 02:55 event happened at 02:45 our time
    skewed = run(
        connector(cluster.url, clock_skew_seconds=600).events(
            "checkout", T0 - timedelta(minutes=16), T0
        )
    )
    assert [e.at for e in skewed] == [T0 - timedelta(minutes=15)]


def test_an_api_error_names_the_server_and_its_answer(kube: KubeEmulator) -> None:
    with pytest.raises(ConnectorError) as caught:
        run(connector(kube.url).pods("checkout", T0 - timedelta(hours=1), T0))
    assert f"the API server at {kube.url} answered 404" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unreachable_server_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectorError) as caught:
        run(connector(url).check())
    assert str(caught.value).startswith(f"connector 'k8s': cannot reach the API server at {url}")
    assert caught.value.retryable


def test_owners_from_service_and_deployment_annotations_and_labels(kube: KubeEmulator) -> None:
    kube.add("v1/services", NS, {"metadata": {"name": "payments", "annotations": {
        "nightowl.dev/owner": "ana, bo", "nightowl.dev/team": "payments-team"}}})  # fmt: skip
    kube.add("v1/services", NS, {"metadata": {"name": "cart"}})
    kube.add("apps/v1/deployments", NS, {"metadata": {
        "name": "checkout-v2", "labels": {"app.kubernetes.io/name": "checkout", "team": "shop"},
    }})  # fmt: skip
    found = run(connector(kube.url).owners())
    assert [(o.service, o.owner, o.team) for o in found] == [
        ("payments", "ana", False),
        ("payments", "bo", False),
        ("payments", "payments-team", True),
        ("checkout", "shop", True),
    ]
    assert found[0].provenance == "Service shop/payments annotation nightowl.dev/owner"
    assert found[3].provenance == "Deployment shop/checkout-v2 label team"
