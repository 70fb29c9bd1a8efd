"""Done when: a vulnerable image in the (emulated) cluster becomes a finding and a bump pull
request — the dry run shows the diff; with approval the GitHub driver opens it — and all of it is
in the audit trail. The cluster is kmock (no kube-apiserver runs here); the GitHub driver's REST
calls land on a real local git repository (``gitrest.py``: GitHub's documented answers in front of
git; no GitHub server can run here), so the pull request's branch is read back with git."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.harness.kube import KubeEmulator
from nightowl_lab.harness.ports import free_port

from nightowl.actions.github import GitHubPullRequestDriver
from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.app.findings import ANCHOR
from nightowl.connectors.kubernetes.connector import Kubernetes, KubernetesConfig
from nightowl.connectors.sources import Sources
from nightowl.domain import Severity
from nightowl.domain.findings import FindingState
from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Role, Settings, WatcherConfig
from nightowl.watchers.cve.watcher import CveWatcher
from nightowl.watchers.protocol import WatchContext
from tests.conftest import make_settings
from tests.watchers.cve.conftest import DATA
from tests.watchers.cve.gitrest import GitBackedGitHub

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: docker.io/bitnami/nginx:1.25.2
"""
GITHUB = {"name": "iac", "kind": "github", "repo": "acme/infra", "token": "t", "paths": ["k8s/"]}
ROOT = Principal("root", Role.ADMIN, "cli")


@pytest.fixture
def cluster() -> Iterator[KubeEmulator]:
    with KubeEmulator() as kube:
        image = "docker.io/bitnami/nginx:1.25.2"
        kube.add("v1/pods", "shop", {
            "metadata": {"name": "web-1", "labels": {"app.kubernetes.io/name": "web"}},
            "spec": {"containers": [{"name": "web", "image": image}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "web", "image": image, "ready": True, "restartCount": 0, "state": {"running": {}}}
            ]},
        })  # fmt: skip
        kube.server_version("v1.28.4")  # fixed for GO-2023-2170: no cluster finding
        yield kube


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "deploy"
    (root / "k8s").mkdir(parents=True)
    (root / "k8s" / "web.yaml").write_text(MANIFEST)
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "web"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=root, check=True)  # fmt: skip
    return root


def launched(
    tmp_path: Path, kube: KubeEmulator, repo: Path, **sections: Any
) -> tuple[Nightowl, GitBackedGitHub]:
    watcher = {
        "name": "cve", "kind": "cve", "on_finding": "pull_request", "min_severity": "high",
        "service": "shop", "options": {"osv": str(DATA / "osv"), "repo": str(repo), "manifests": ["k8s"]},
    }  # fmt: skip
    kubernetes = {"name": "prod", "kind": "kubernetes", "url": kube.url, "namespaces": ["shop"]}
    actions = {"dry_run": False, "drivers": [GITHUB], "routes": {"shop": "iac"}}
    settings = make_settings(
        tmp_path / "data", connectors=[kubernetes], watchers=[watcher], actions=actions,
        approvals={"approvers": {"*": ["root"]}}, **sections,
    )  # fmt: skip
    app = Nightowl(settings)
    github = GitBackedGitHub(repo)
    for driver in app._raw_drivers:
        if isinstance(driver, GitHubPullRequestDriver):
            driver.transport = httpx.MockTransport(github)
    app.launch()
    return app, github


@pytest.fixture
def apps() -> Iterator[list[Nightowl]]:
    started: list[Nightowl] = []
    yield started
    for app in started:
        app.shutdown()


def test_the_running_image_is_a_finding_whose_dry_run_shows_the_bump(
    tmp_path: Path, cluster: KubeEmulator, repo: Path, apps: list[Nightowl]
) -> None:
    app, github = launched(tmp_path, cluster, repo, policy={"autonomy": "act"})
    apps.append(app)
    app.executor.dry_run = True
    done = asyncio.run(app.watching.run("cve"))
    assert done.error is None
    (finding,) = done.findings
    assert (finding.kind, finding.severity, finding.state) == (
        "cve",
        Severity.HIGH,
        FindingState.NEW,
    )
    assert finding.resource == "docker.io/bitnami/nginx"
    assert finding.service == "web"  # the workload it runs in
    assert finding.evidence["cve"] == "CVE-2023-44487"
    assert finding.evidence["fixed"] == "1.25.3"
    assert finding.proposed is not None
    assert "+          image: docker.io/bitnami/nginx:1.25.3" in finding.proposed.diff
    (line,) = done.routed
    assert line.endswith(
        "would open a pull request on acme/infra changing k8s/web.yaml (with new content)"
    )
    assert github.pulls == []
    assert (repo / "k8s" / "web.yaml").read_text() == MANIFEST  # the watcher never writes
    audited = [r for r in app.records.audit_records() if r.kind == "finding.proposed"]
    assert len(audited) == 1


def test_with_approval_the_bump_pull_request_is_opened_and_audited(
    tmp_path: Path, cluster: KubeEmulator, repo: Path, apps: list[Nightowl]
) -> None:
    app, github = launched(tmp_path, cluster, repo)  # autonomy: suggest — a human approves
    apps.append(app)
    done = asyncio.run(app.watching.run("cve"))
    (line,) = done.routed
    assert "requested from root" in line
    assert github.pulls == []
    (request,) = app.records.approvals()
    asyncio.run(app.answer_approval(request.id, by=ROOT, approve=True, reason="bump it"))
    (pr,) = github.pulls
    assert (
        pr["title"]
        == "Fix CVE-2023-44487: bump image docker.io/bitnami/nginx:1.25.2 to docker.io/bitnami/nginx:1.25.3"
    )
    branch = pr["head"]["ref"]
    assert github.git("show", f"{branch}:k8s/web.yaml").decode() == MANIFEST.replace(
        "1.25.2", "1.25.3"
    )
    assert (
        github.git("diff", "--stat", "main", branch)
        .decode()
        .strip()
        .startswith("k8s/web.yaml | 2 +-")
    )
    assert (repo / "k8s" / "web.yaml").read_text() == MANIFEST  # main and the work tree untouched
    incident = app.records.incident(ANCHOR + done.findings[0].fingerprint)
    assert [a.kind for a in incident.actions] == ["pull_request"]
    kinds = {r.kind for r in app.records.audit_records()}
    assert {"watch.run", "finding.proposed", "action"} <= kinds
    again = asyncio.run(app.watching.run("cve"))  # seen again: open, not proposed twice
    assert again.routed == ()
    assert again.findings[0].state is FindingState.OPEN


def test_an_unreachable_cluster_is_a_watcher_error_and_no_source_a_config_error(
    tmp_path: Path,
) -> None:

    config = WatcherConfig(name="cve", kind="cve", options={"osv": str(DATA / "osv")})
    watcher = CveWatcher.from_config(config, Settings())
    gone = Kubernetes(
        "prod", KubernetesConfig.model_validate({"url": f"http://127.0.0.1:{free_port()}"})
    )
    ctx = WatchContext(now=datetime.now(UTC), settings=Settings(), sources=Sources.of([gone]))
    with pytest.raises(WatcherError, match="cannot reach the API server"):
        asyncio.run(watcher.check(ctx))
    with pytest.raises(ConfigError, match=r"options\.osv or options\.reports"):
        CveWatcher.from_config(WatcherConfig(name="cve", kind="cve"), Settings())
