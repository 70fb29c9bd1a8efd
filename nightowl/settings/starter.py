"""The first configuration of a team's stack, as ``nightowl init`` writes it.

A ``Stack`` is what a team answers (which metrics, logs, deploys, notifier, who the first admin
is); ``starter_config`` turns it into the ``nightowl.yaml`` mapping. Every secret in it is a
``${VAR}`` reference: ``Starter.secrets`` holds their values, which ``nightowl init`` keeps in a
file of mode 0600 and never prints.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

WEBHOOK_TOKEN_VAR = "NIGHTOWL_ALERTMANAGER_TOKEN"
"""Not NIGHTOWL_WEBHOOK_TOKEN, which every source would accept: this one is Alertmanager's."""
ADMIN_TOKEN_VAR = "NIGHTOWL_ADMIN_TOKEN"
DEPLOY_TOKEN_VAR = "NIGHTOWL_DEPLOY_TOKEN"
"""What ``nightowl deploy record --url`` sends: CI records deploys with it."""


class Metrics(StrEnum):
    """Where the golden signals are read."""

    PROMETHEUS = "prometheus"
    VICTORIAMETRICS = "victoriametrics"
    NONE = "none"


class Logs(StrEnum):
    """Where the error logs are read."""

    LOKI = "loki"
    ELASTICSEARCH = "elasticsearch"
    FILES = "files"
    NONE = "none"


class Deploys(StrEnum):
    """Where the deploy history is read (deploys pushed by CI are always read)."""

    GITHUB = "github"
    ARGOCD = "argocd"
    NONE = "none"


class Notify(StrEnum):
    """Who hears about incidents."""

    SLACK = "slack"
    PAGERDUTY = "pagerduty"
    EMAIL = "email"
    WEBHOOK = "webhook"


SECRET_VARS: dict[str, str] = {
    "slack": "SLACK_WEBHOOK_URL",
    "pagerduty": "PAGERDUTY_ROUTING_KEY",
    "github": "GITHUB_TOKEN",
    "argocd": "ARGOCD_TOKEN",
}
"""The environment variable holding each choice's own secret, referenced from the file."""


class Stack(BaseModel):
    """A team's answers to ``nightowl init``; the ``*_url`` and detail fields a choice needs are
    checked by ``missing``, the rest by the settings model once the file is built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: Metrics = Metrics.PROMETHEUS
    metrics_url: str = "http://127.0.0.1:9090"
    scrape_seconds: int | None = Field(
        default=None,
        ge=1,
        description="The metrics' scrape interval: read at that step (gather.step_seconds), "
        "rates over four intervals (the connector's rate_window, Prometheus's rule of thumb); "
        "none: the defaults (30 s, 5m).",
    )
    logs: Logs = Logs.NONE
    logs_url: str | None = None
    logs_path: str | None = Field(default=None, description="A glob, for logs: files.")
    kubernetes: bool = False
    namespaces: tuple[str, ...] = ("default",)
    deploys: Deploys = Deploys.NONE
    deploys_url: str | None = Field(default=None, description="The Argo CD server.")
    github_repo: str | None = Field(default=None, description="owner/name, for deploys: github.")
    notify: Notify = Notify.SLACK
    notify_url: str | None = Field(default=None, description="For notify: webhook.")
    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_host: str | None = None
    admin: str = Field(default="admin", pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = None

    def missing(self) -> list[str]:
        """What the choices need and was not given, each as the flag that gives it."""
        needs = {
            "--logs-url": self.logs in (Logs.LOKI, Logs.ELASTICSEARCH) and not self.logs_url,
            "--logs-path": self.logs is Logs.FILES and not self.logs_path,
            "--deploys-url": self.deploys is Deploys.ARGOCD and not self.deploys_url,
            "--github-repo": self.deploys is Deploys.GITHUB and not self.github_repo,
            "--notify-url": self.notify is Notify.WEBHOOK and not self.notify_url,
            "--email-to": self.notify is Notify.EMAIL and not self.email_to,
            "--email-from": self.notify is Notify.EMAIL and not self.email_from,
            "--smtp-host": self.notify is Notify.EMAIL and not self.smtp_host,
        }
        return [flag for flag, absent in needs.items() if absent]

    def secret_vars(self) -> list[str]:
        """The environment variables of the secrets these choices need from the team."""
        chosen = (self.notify.value, self.deploys.value)
        return [SECRET_VARS[c] for c in chosen if c in SECRET_VARS]


class Starter(BaseModel):
    """The configuration mapping to write, and the values of the secrets it references."""

    config: dict[str, Any]
    secrets: dict[str, SecretStr]


def starter_config(stack: Stack, given: dict[str, SecretStr], password_hash: str | None) -> Starter:
    """The ``nightowl.yaml`` of ``stack``: its connectors and notifier, a webhook token, and the
    first admin (an API token, and a web UI login when ``password_hash`` is given), a token for CI to
    record deploys with.

    ``given`` holds the team's secrets by ``Stack.secret_vars`` name; nightowl's own tokens are
    generated here.
    """
    values = {
        **given,
        WEBHOOK_TOKEN_VAR: SecretStr(secrets.token_urlsafe(32)),
        ADMIN_TOKEN_VAR: SecretStr(secrets.token_urlsafe(32)),
        DEPLOY_TOKEN_VAR: SecretStr(secrets.token_urlsafe(32)),
    }
    admin: dict[str, Any] = {"role": "admin"}
    if password_hash:
        admin["password_hash"] = password_hash
    ui: dict[str, Any] = {"users": {stack.admin: admin}}
    if stack.public_url:
        ui["public_url"] = stack.public_url
    config: dict[str, Any] = {
        "data_dir": str(stack.data_dir),
        "server": {"host": stack.host, "port": stack.port},
        "webhooks": {
            "tokens": {
                "alertmanager": [f"${{{WEBHOOK_TOKEN_VAR}}}"],
                "deploys": [f"${{{DEPLOY_TOKEN_VAR}}}"],
            }
        },
        "api": {"users": {stack.admin: f"${{{ADMIN_TOKEN_VAR}}}"}},
        "ui": ui,
        "approvals": {"approvers": {"*": [stack.admin]}},
        "connectors": _connectors(stack),
        **({"gather": {"step_seconds": stack.scrape_seconds}} if stack.scrape_seconds else {}),
        "notify": {"notifiers": [_notifier(stack)]},
    }
    return Starter(config=config, secrets=values)


def _connectors(stack: Stack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if stack.metrics is not Metrics.NONE:
        metrics = {"name": "metrics", "kind": stack.metrics.value, "url": stack.metrics_url}
        if stack.scrape_seconds:
            metrics["rate_window"] = f"{4 * stack.scrape_seconds}s"
        found.append(metrics)
    if stack.logs in (Logs.LOKI, Logs.ELASTICSEARCH):
        found.append({"name": "logs", "kind": stack.logs.value, "url": stack.logs_url})
    elif stack.logs is Logs.FILES:
        found.append({"name": "logs", "kind": "files", "path": stack.logs_path})
    if stack.kubernetes:
        found.append({"name": "cluster", "kind": "kubernetes", "namespaces": [*stack.namespaces]})
    if stack.deploys is Deploys.GITHUB:
        found.append(
            {"name": "deploys", "kind": "github", "repo": stack.github_repo, **_token("github")}
        )
    elif stack.deploys is Deploys.ARGOCD:
        found.append(
            {"name": "deploys", "kind": "argocd", "url": stack.deploys_url, **_token("argocd")}
        )
    return found


def _token(choice: str) -> dict[str, str]:
    return {"token": f"${{{SECRET_VARS[choice]}}}"}


def _notifier(stack: Stack) -> dict[str, Any]:
    if stack.notify is Notify.SLACK:
        return {"name": "slack", "kind": "slack", "webhook_url": "${SLACK_WEBHOOK_URL}"}
    if stack.notify is Notify.PAGERDUTY:
        return {"name": "pagerduty", "kind": "pagerduty", "routing_key": "${PAGERDUTY_ROUTING_KEY}"}
    if stack.notify is Notify.EMAIL:
        return {
            "name": "email",
            "kind": "email",
            "host": stack.smtp_host,
            "from": stack.email_from,
            "to": [*stack.email_to],
        }
    return {"name": "webhook", "kind": "webhook", "url": stack.notify_url}


def env_file_text(values: dict[str, SecretStr]) -> str:
    """The secrets as ``NAME='value'`` lines, for ``set -a; . FILE; set +a`` or systemd's
    ``EnvironmentFile=`` (both take single quotes)."""
    lines = ["# nightowl's secrets, written by `nightowl init`; keep this file mode 0600."]
    for name, value in sorted(values.items()):
        quoted = value.get_secret_value().replace("'", "'\\''")
        lines.append(f"{name}='{quoted}'")
    return "\n".join(lines) + "\n"
