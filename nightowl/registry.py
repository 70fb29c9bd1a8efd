"""Lazy name → class registry for integrations, so an optional SDK is imported only when used.

Each entry is "module:attribute". A missing optional dependency fails with the pip command to run.
"""

from __future__ import annotations

import importlib
from typing import Any

from nightowl.errors import ConfigError

CONNECTORS: dict[str, str] = {
    "replay": "nightowl.sim.replay:Replay",
    "prometheus": "nightowl.connectors.prometheus:Prometheus",
    "victoriametrics": "nightowl.connectors.prometheus:Prometheus",
    "loki": "nightowl.connectors.loki:Loki",
    "elasticsearch": "nightowl.connectors.elasticsearch:Elasticsearch",
    "opensearch": "nightowl.connectors.elasticsearch:Elasticsearch",
    "files": "nightowl.connectors.files:LogFiles",
    "journald": "nightowl.connectors.journal:Journal",
    "kubernetes": "nightowl.connectors.kubernetes.connector:Kubernetes",
    "github": "nightowl.connectors.github:GitHub",
    "argocd": "nightowl.connectors.argocd:ArgoCD",
    "recorded": "nightowl.store.deploys:RecordedDeploys",
    "static": "nightowl.connectors.static:StaticTopology",
    "traces": "nightowl.connectors.traces:TraceTopology",
    "sandbox": "nightowl.sandbox.cluster:SandboxCluster",
}
NOTIFIERS: dict[str, str] = {
    "file": "nightowl.notify.file:FileNotifier",
    "webhook": "nightowl.notify.webhook:WebhookNotifier",
    "slack": "nightowl.notify.slack:SlackNotifier",
    "pagerduty": "nightowl.notify.pagerduty:PagerDutyNotifier",
    "teams": "nightowl.notify.teams:TeamsNotifier",
    "email": "nightowl.notify.email:EmailNotifier",
}
DRIVERS: dict[str, str] = {
    "kubernetes": "nightowl.actions.kubernetes:KubernetesDriver",
    "process": "nightowl.actions.process:ProcessDriver",
    "ssh": "nightowl.actions.ssh:SshDriver",
    "webhook": "nightowl.actions.webhook:WebhookDriver",
    "github": "nightowl.actions.github:GitHubPullRequestDriver",
    "sandbox": "nightowl.sandbox.driver:SandboxDriver",
}
"""Action drivers configured under ``actions.drivers`` (the simulated one comes with a replay)."""
EXTRAS: dict[str, str] = {"kubernetes": "kubernetes", "ssh": "ssh"}
"""kind → the pip extra that provides its SDK."""


def resolve(table: dict[str, str], kind: str, what: str) -> Any:
    target = table.get(kind)
    if target is None:
        known = ", ".join(sorted(table))
        raise ConfigError(f"unknown {what} kind {kind!r}; known kinds: {known}")
    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        extra = EXTRAS.get(kind, kind)
        raise ConfigError(
            f"{what} kind {kind!r} needs an optional dependency ({exc.name}): "
            f"pip install 'nightowl[{extra}]'"
        ) from None
