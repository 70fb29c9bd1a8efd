"""Lazy name → class registry for integrations, so an optional SDK is imported only when used.

Each built-in entry is "module:attribute". Kinds nightowl does not ship come from installed
distributions through entry points (groups ``nightowl.connectors``, ``nightowl.drivers``,
``nightowl.notifiers``), whose values have the same form: the product never imports a plugin by
name, it only loads what an installed distribution declares. A built-in kind wins over a plugin
of the same name. A missing optional dependency, or a kind that a known distribution provides but
that is not installed, fails with the pip command to run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any

from nightowl.errors import ConfigError


class Plugins(Mapping[str, str]):
    """The kinds of one plugin family: a built-in table, then the entry points of ``group``.

    Read-only; entry points are read on every lookup (cheap), so a distribution installed while
    the process runs is seen by the next lookup. Safe to share between threads.
    """

    def __init__(self, group: str, builtins: dict[str, str]) -> None:
        self.group = group
        self.builtins = builtins

    def plugins(self) -> dict[str, str]:
        """The kinds installed distributions add (a built-in of the same name hides one)."""
        found = {ep.name: ep.value for ep in entry_points(group=self.group)}
        return {k: v for k, v in sorted(found.items()) if k not in self.builtins}

    def __getitem__(self, kind: str) -> str:
        if kind in self.builtins:
            return self.builtins[kind]
        return self.plugins()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter([*self.builtins, *self.plugins()])

    def __len__(self) -> int:
        return len(self.builtins) + len(self.plugins())


CONNECTORS = Plugins(
    "nightowl.connectors",
    {
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
        "mcp": "nightowl.connectors.mcp:McpTools",
        "opencost": "nightowl.connectors.opencost:OpenCost",
        "mlflow": "nightowl.connectors.mlflow:MLflowRegistry",
    },
)
NOTIFIERS = Plugins(
    "nightowl.notifiers",
    {
        "file": "nightowl.notify.file:FileNotifier",
        "webhook": "nightowl.notify.webhook:WebhookNotifier",
        "slack": "nightowl.notify.slack:SlackNotifier",
        "pagerduty": "nightowl.notify.pagerduty:PagerDutyNotifier",
        "teams": "nightowl.notify.teams:TeamsNotifier",
        "email": "nightowl.notify.email:EmailNotifier",
    },
)
DRIVERS = Plugins(
    "nightowl.drivers",
    {
        "kubernetes": "nightowl.actions.kubernetes:KubernetesDriver",
        "process": "nightowl.actions.process:ProcessDriver",
        "ssh": "nightowl.actions.ssh:SshDriver",
        "webhook": "nightowl.actions.webhook:WebhookDriver",
        "github": "nightowl.actions.github:GitHubPullRequestDriver",
        "mcp": "nightowl.actions.mcp:McpDriver",
        "mlflow": "nightowl.actions.mlflow:MLflowDriver",
    },
)
"""Action drivers configured under ``actions.drivers`` (``simulated`` also comes with a replay)."""
WATCHERS = Plugins(
    "nightowl.watchers",
    {
        "cost_review": "nightowl.watchers.cost_review:CostReviewWatcher",
        "cve": "nightowl.watchers.cve.watcher:CveWatcher",
        "drift": "nightowl.watchers.drift:DriftWatcher",
        "rightsizing": "nightowl.watchers.rightsizing.watcher:RightsizingWatcher",
        "model_drift": "nightowl.watchers.model_drift:ModelDriftWatcher",
    },
)
"""Watcher kinds configured under ``watchers`` (each a ``WatcherFactory``)."""
EXTRAS: dict[str, str] = {"kubernetes": "kubernetes", "ssh": "ssh", "drift": "iac"}
"""kind → the pip extra that provides its SDK."""
DISTRIBUTIONS: dict[str, str] = {
    "replay": "nightowl-lab",
    "sandbox": "nightowl-lab",
    "simulated": "nightowl-lab",
}
"""Kinds another distribution provides → its name, for the error when it is not installed."""


def resolve(table: Plugins, kind: str, what: str) -> Any:
    """The class of ``kind`` in ``table``. ConfigError names the known kinds, or the pip command
    when the kind needs an optional dependency or a distribution that is not installed."""
    target = table.get(kind)
    if target is None:
        known = ", ".join(sorted(table))
        hint = ""
        if kind in DISTRIBUTIONS:
            dist = DISTRIBUTIONS[kind]
            hint = f" ({what} kind {kind!r} comes with {dist}: pip install {dist})"
        raise ConfigError(f"unknown {what} kind {kind!r}; known kinds: {known}{hint}")
    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        if kind in table.builtins:
            fix = f"pip install 'nightowl[{EXTRAS.get(kind, kind)}]'"
        else:  # a plugin's own dependency: reinstalling its distribution brings it
            fix = f"reinstall the distribution that provides {target}"
        raise ConfigError(
            f"{what} kind {kind!r} needs an optional dependency ({exc.name}): {fix}"
        ) from None
