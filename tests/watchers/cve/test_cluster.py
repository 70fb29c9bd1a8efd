"""What an (emulated) cluster runs, read through the Kubernetes connector: kmock serves the
API (no kube-apiserver runs here)."""

from __future__ import annotations

from asyncio import run
from datetime import UTC, datetime
from typing import Any

import pytest
from nightowl_lab.harness.kube import KubeEmulator

from nightowl.connectors.kubernetes.connector import Kubernetes, KubernetesConfig
from nightowl.watchers.cve.cluster import running
from nightowl.watchers.cve.models import PackageKind

NS = "shop"


def pod(name: str, service: str, *images: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": service}},
        "spec": {"containers": [{"name": f"c{i}", "image": im} for i, im in enumerate(images)]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": f"c{i}",
                    "image": im,
                    "ready": True,
                    "restartCount": 0,
                    "state": {"running": {}},
                }
                for i, im in enumerate(images)
            ],
        },
    }


@pytest.fixture
def cluster() -> Any:
    with KubeEmulator() as kube:
        kube.add(
            "v1/pods", NS, pod("web-1", "web", "docker.io/bitnami/nginx:1.25.2", "busybox:latest")
        )
        kube.add("v1/pods", NS, pod("web-2", "web", "docker.io/bitnami/nginx:1.25.2"))
        kube.add("v1/pods", NS, pod("api-1", "api", "registry/shop/api:v3.1.0"))
        kube.server_version("v1.27.3-eks-a5565ad")
        yield kube


def connector(url: str) -> Kubernetes:
    return Kubernetes("prod", KubernetesConfig.model_validate({"url": url, "namespaces": [NS]}))


def test_images_once_per_workload_and_the_cluster_version(cluster: KubeEmulator) -> None:
    found = run(running(connector(cluster.url), datetime.now(UTC)))
    images = [
        (p.name, p.version, p.location.workload) for p in found if p.kind is PackageKind.IMAGE
    ]
    assert sorted(images) == [("api", "3.1.0", "api"), ("nginx", "1.25.2", "web")]
    (k8s,) = [p for p in found if p.kind is PackageKind.CLUSTER]
    assert (k8s.ecosystem, k8s.name, k8s.version) == ("Go", "k8s.io/kubernetes", "v1.27.3")
    assert k8s.location.workload == "cluster prod"
