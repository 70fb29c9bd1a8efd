"""A smaller node pool as a pull request on its Terraform (the GKE, EKS and AKS pool resources'
documented attributes; python-hcl2 edits the real files in place), and the pools it must leave
to a human: autoscaled, a computed count, below the group's minimum."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.rightsizing.advise import Thresholds, size
from nightowl.watchers.rightsizing.model import Prices, Usage
from nightowl.watchers.rightsizing.pools import PoolEdit, shrink_pool
from nightowl.watchers.rightsizing.watcher import RightsizingWatcher

pytest.importorskip("hcl2")

GKE = """resource "google_container_node_pool" "general" {
  name       = "general"
  cluster    = google_container_cluster.main.id
  node_count = 4 # sized for the launch

  node_config {
    machine_type = "e2-standard-4"
  }
}

resource "google_container_node_pool" "batch" {
  name    = "batch"
  cluster = google_container_cluster.main.id
  autoscaling {
    min_node_count = 1
    max_node_count = 10
  }
}
"""
EKS = """resource "aws_eks_node_group" "apps" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "apps"
  scaling_config {
    desired_size = 6
    min_size     = 3
    max_size     = 8
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "spot" {
  name       = "spot"
  node_count = var.spot_nodes
}
"""


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    (tmp_path / "gke.tf").write_text(GKE)
    (tmp_path / "eks.tf").write_text(EKS)
    return tmp_path


def test_a_fixed_size_pool_gets_its_count_edited_in_place(infra: Path) -> None:
    edit = shrink_pool(infra, "general", 2)
    assert isinstance(edit, PoolEdit)
    assert edit.address == "google_container_node_pool.general"
    assert edit.after == GKE.replace("node_count = 4 #", "node_count = 2 #")
    eks = shrink_pool(infra, "apps", 4)
    assert isinstance(eks, PoolEdit)
    assert "    desired_size = 4\n    min_size     = 3" in eks.after


def test_pools_left_to_a_human_say_why(infra: Path) -> None:
    assert "cluster autoscaler" in str(shrink_pool(infra, "batch", 1))
    assert "min_size is above 2" in str(shrink_pool(infra, "apps", 2))
    assert "not a number in the code" in str(shrink_pool(infra, "spot", 1))
    assert str(shrink_pool(infra, "gpu", 1)).startswith("no Terraform under")


def test_the_watcher_proposes_the_pool_pull_request(infra: Path) -> None:
    usage = Usage(subject="general", kind="node pool", replicas=4, requested={"cpu": 16.0},
                  p95={"cpu": 2.5}, peak={"cpu": 3.0})  # fmt: skip
    found = size(usage, Prices(), Thresholds())
    assert found is not None
    options = {"iac_repo": str(infra)}
    watcher = RightsizingWatcher.from_config(
        WatcherConfig(name="sizes", kind="rightsizing", options=options), Settings()
    )
    proposed = watcher.finding(found).proposed
    assert proposed is not None
    assert proposed.action is not None
    assert proposed.action.params["path"] == "gke.tf"
    assert proposed.summary == (
        "shrink node pool general to 2 nodes (google_container_node_pool.general)"
    )
    assert "+  node_count = 2 # sized for the launch" in proposed.diff
