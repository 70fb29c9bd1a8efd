"""Images in Kubernetes manifests and the cluster version in Terraform, with their lines."""

from __future__ import annotations

from pathlib import Path

from nightowl.watchers.cve import manifests
from nightowl.watchers.cve.models import PackageKind
from nightowl.watchers.cve.versions import image_ref

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: "docker.io/bitnami/nginx:1.25.2-debian-12-r3"
        - image: registry:5000/shop/sidecar:latest
      initContainers:
        - name: init
          image: busybox:1.36@sha256:6d9ac9237a84afe1516540f40a0fafdc86859b2141954b4d643af7066d598b74
"""


def test_image_references_split_on_the_tag_not_the_registry_port() -> None:
    ref = image_ref("registry:5000/shop/app:v2.1.0-alpine@sha256:abc")
    assert (ref.repository, ref.tag, ref.digest, ref.name) == (
        "registry:5000/shop/app", "v2.1.0-alpine", "sha256:abc", "app",
    )  # fmt: skip
    assert ref.version == "2.1.0"
    assert ref.with_version("2.1.4") == "registry:5000/shop/app:v2.1.4-alpine"
    assert image_ref("registry:5000/app").tag is None


def test_manifest_images_with_their_lines_and_latest_skipped(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(DEPLOYMENT)
    found = [p for f in manifests.files([tmp_path]) for p in manifests.read(f)]
    assert [(p.name, p.version, p.location.line, p.digest) for p in found] == [
        ("nginx", "1.25.2", 10, None),
        ("busybox", "1.36", 14, "sha256:6d9ac9237a84afe1516540f40a0fafdc86859b2141954b4d643af7066d598b74"),
    ]  # fmt: skip
    assert all(p.kind is PackageKind.IMAGE for p in found)


def test_terraform_kubernetes_version_is_the_cluster(tmp_path: Path) -> None:
    tf = tmp_path / "aks.tf"
    tf.write_text(
        'resource "azurerm_kubernetes_cluster" "main" {\n  name = "shop"\n'
        '  kubernetes_version  = "1.27.3" # pinned\n}\n'
    )
    (found,) = manifests.read(tf)
    assert (found.kind, found.ecosystem, found.name, found.version, found.location.line) == (
        PackageKind.CLUSTER, "Go", "k8s.io/kubernetes", "v1.27.3", 3,
    )  # fmt: skip
