"""Kubernetes API JSON → domain models, on objects shaped as the API server serves them: pods with
their restarts and OOM kills, events timed by whichever stamp they carry, ReplicaSets as rollout
revisions and the revisions as deploys with the version they replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nightowl.connectors.kubernetes import convert

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LABELS = ("app.kubernetes.io/name", "app")


def stamp(minutes: int = 0) -> str:
    return (AT + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("registry.example:5000/shop/checkout:1.4.2", "1.4.2"),
        ("checkout:2.0@sha256:abc", "2.0"),
        ("registry.example:5000/checkout", "latest"),  # the port is not a tag
        (None, None),
    ],
)
def test_image_tag(image: str | None, tag: str | None) -> None:
    assert convert.image_tag(image) == tag


def test_timestamps_are_aware_utc_or_none() -> None:
    assert convert.timestamp("2026-11-20T04:00:00+01:00") == AT
    assert convert.timestamp(stamp()) == AT
    assert convert.timestamp("") is None
    assert convert.timestamp("not a time") is None
    assert convert.timestamp(None) is None


def test_the_service_is_the_first_service_label_present() -> None:
    obj = {"metadata": {"labels": {"app": "cart", "app.kubernetes.io/name": "checkout"}}}
    assert convert.service_of(obj, LABELS) == "checkout"
    assert convert.service_of({"metadata": {"labels": {"app": "cart"}}}, LABELS) == "cart"
    assert convert.service_of({"metadata": {}}, LABELS) is None


def oom_pod() -> dict[str, Any]:
    return {
        "metadata": {"name": "checkout-7d9-x", "namespace": "shop", "labels": {"app": "checkout"}},
        "spec": {"nodeName": "node-2", "containers": [{"name": "app", "image": "checkout:1.4"}]},
        "status": {
            "phase": "Running",
            "startTime": stamp(-60),
            "containerStatuses": [
                {
                    "name": "app",
                    "image": "checkout:1.4",
                    "ready": False,
                    "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {
                        "terminated": {
                            "reason": "OOMKilled",
                            "exitCode": 137,
                            "finishedAt": stamp(-1),
                        }
                    },
                }
            ],
        },
    }


def test_a_pod_with_an_oom_killed_container() -> None:
    pod = convert.pod(oom_pod(), LABELS)
    assert (pod.name, pod.namespace, pod.service) == ("checkout-7d9-x", "shop", "checkout")
    assert pod.node == "node-2"
    assert (pod.phase, pod.version, pod.started_at) == ("Running", "1.4", AT - timedelta(hours=1))
    (container,) = pod.containers
    assert (container.state, container.reason) == ("waiting", "CrashLoopBackOff")
    assert (container.last_termination_reason, container.last_exit_code) == ("OOMKilled", 137)
    assert container.last_terminated_at == AT - timedelta(minutes=1)
    assert (pod.restarts, pod.ready) == (3, False)


def test_a_version_label_wins_over_the_image_tag() -> None:
    obj = oom_pod()
    obj["metadata"]["labels"]["app.kubernetes.io/version"] = "v1.4.0-rc1"
    assert convert.pod(obj, LABELS).version == "v1.4.0-rc1"


def test_an_event_takes_the_first_timestamp_it_carries() -> None:
    obj = {
        "metadata": {"namespace": "shop", "creationTimestamp": stamp(-30)},
        "involvedObject": {"kind": "Pod", "name": "checkout-7d9-x", "namespace": "shop"},
        "type": "Warning",
        "reason": "BackOff",
        "message": " Back-off restarting failed container \n",
        "firstTimestamp": stamp(-20),
        "lastTimestamp": stamp(-5),
        "count": 7,
    }
    event = convert.event(obj, "checkout")
    assert event is not None
    assert (event.at, event.type, event.reason) == (AT - timedelta(minutes=5), "Warning", "BackOff")
    assert (event.object, event.count) == ("Pod/checkout-7d9-x", 7)
    assert event.message == "Back-off restarting failed container"
    del obj["lastTimestamp"]
    earlier = convert.event(obj, "checkout")
    assert earlier is not None
    assert earlier.at == AT - timedelta(minutes=20)
    assert convert.event({"reason": "x"}, None) is None


def replica_set(revision: str, minutes: int, image: str, owner: str = "checkout") -> dict[str, Any]:
    return {
        "metadata": {
            "name": f"{owner}-{revision}",
            "creationTimestamp": stamp(minutes),
            "annotations": {
                "deployment.kubernetes.io/revision": revision,
                "kubernetes.io/change-cause": f"deploy {image}",
            },
            "ownerReferences": [{"kind": "Deployment", "name": owner}],
        },
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
        "status": {"replicas": 3, "readyReplicas": 2},
    }


def test_a_replica_set_is_a_rollout_revision_of_its_deployment() -> None:
    rollout = convert.rollout(replica_set("4", -10, "checkout:1.5"), "checkout")
    assert rollout is not None
    assert (rollout.workload, rollout.revision, rollout.version) == ("checkout", 4, "1.5")
    assert (rollout.images, rollout.change_cause) == (("checkout:1.5",), "deploy checkout:1.5")
    assert (rollout.replicas, rollout.ready_replicas, rollout.at) == (
        3,
        2,
        AT - timedelta(minutes=10),
    )


def test_replica_sets_that_are_no_revision_are_skipped() -> None:
    orphan = replica_set("4", 0, "checkout:1.5")
    orphan["metadata"]["ownerReferences"] = []
    unnumbered = replica_set("x", 0, "checkout:1.5")
    assert convert.rollout(orphan, "checkout") is None
    assert convert.rollout(unnumbered, "checkout") is None


def test_revisions_in_the_window_become_deploys_with_the_version_they_replaced() -> None:
    rollouts = [
        convert.rollout(replica_set(rev, minutes, image), "checkout")
        for rev, minutes, image in [
            ("3", -90, "checkout:1.3"),
            ("5", -5, "checkout:1.5"),
            ("4", -30, "checkout:1.4"),
        ]
    ]
    found = convert.deploys([r for r in rollouts if r], AT - timedelta(hours=1), AT)
    assert [(d.version, d.previous_version) for d in found] == [("1.4", "1.3"), ("1.5", "1.4")]
    assert {d.source for d in found} == {"kubernetes"}
    assert found[0].summary == "deploy checkout:1.4"
