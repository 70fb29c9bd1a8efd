"""A lower request as a pull request editing the manifest: the value replaced in place, never
below the window's peak plus headroom (rounded up per pod), on manifests as kubectl and Helm
users write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.rightsizing.advise import Thresholds, size
from nightowl.watchers.rightsizing.manifest import lower_request, parse, quantity
from nightowl.watchers.rightsizing.model import Prices, Usage
from nightowl.watchers.rightsizing.watcher import RightsizingWatcher

DEPLOYMENT = """# the api, two replicas
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: sidecar
          resources: {requests: {cpu: 100m}}
        - name: api
          image: ghcr.io/acme/api:1.4.2
          resources:
            requests:
              cpu: "2"      # sized for launch day
              memory: 1Gi
            limits:
              memory: 2Gi
"""


def test_quantities_round_up_and_parse_both_notations() -> None:
    assert (quantity("cpu", 0.6501), quantity("memory", 0.75)) == ("651m", "768Mi")
    assert (parse("cpu", "2"), parse("cpu", "250m"), parse("memory", "512Mi")) == (2.0, 0.25, 0.5)
    assert parse("cpu", "two") is None


def test_only_the_containers_request_changes(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    path = tmp_path / "k8s" / "api.yaml"
    path.write_text(DEPLOYMENT)
    (tmp_path / "k8s" / "chart.yaml").write_text("{{- if .Values.on }}\nkind: Deployment\n")
    edit = lower_request([tmp_path / "k8s"], "shop", "api", "cpu", 0.65)
    assert edit is not None
    assert (edit.path, edit.old, edit.new) == (path, "2", "650m")
    assert edit.after == DEPLOYMENT.replace('cpu: "2"', 'cpu: "650m"')
    assert lower_request([tmp_path / "k8s"], "other", "api", "cpu", 0.65) is None  # namespace
    assert lower_request([tmp_path / "k8s"], "shop", "api", "cpu", 3.0) is None  # not a cut


def test_the_watcher_proposes_the_pull_request_never_below_the_floor(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "api.yaml").write_text(DEPLOYMENT)
    usage = Usage(subject="api", namespace="shop", replicas=2, requested={"cpu": 4.0},
                  p95={"cpu": 0.8}, peak={"cpu": 1.0})  # fmt: skip
    limits = Thresholds()
    found = size(usage, Prices(), limits)
    assert found is not None
    assert found.resize is not None
    assert found.resize.replicas_to is None  # at min_replicas: the request is what can go
    options = {"repo": str(tmp_path), "manifests": ["k8s"]}
    watcher = RightsizingWatcher.from_config(
        WatcherConfig(name="sizes", kind="rightsizing", options=options), Settings()
    )
    proposed = watcher.finding(found).proposed
    assert proposed is not None
    assert proposed.action is not None
    assert proposed.action.kind == "pull_request"
    assert proposed.action.params["path"] == "k8s/api.yaml"
    assert proposed.summary == "lower api's cpu request 2 → 650m per pod"
    per_pod = parse("cpu", "650m")
    assert per_pod is not None
    assert per_pod * usage.replicas >= usage.peak["cpu"] * (1 + limits.headroom)
    assert '-              cpu: "2"      # sized for launch day' in proposed.diff
    bare = RightsizingWatcher.from_config(
        WatcherConfig(name="sizes", kind="rightsizing"), Settings()
    )
    plain = bare.finding(found).proposed
    assert plain is not None
    assert plain.action is None  # no manifests configured: a summary for a person


@pytest.mark.parametrize("replicas", [1, 3])
def test_per_pod_floor_rounds_up(replicas: int) -> None:
    usage = Usage(subject="api", namespace="shop", replicas=replicas, requested={"cpu": 6.0},
                  p95={"cpu": 0.3}, peak={"cpu": 0.333})  # fmt: skip
    found = size(usage, Prices(), Thresholds(min_replicas=3))
    assert found is not None
    assert found.resize is not None
    assert found.resize.per_pod_to is not None
    floor = parse("cpu", quantity("cpu", found.resize.per_pod_to))
    assert floor is not None
    assert floor * replicas >= 0.333 * 1.3
