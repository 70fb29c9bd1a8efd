"""The first configuration ``nightowl init`` writes: every stack it offers loads through the
settings model, secrets only as ``${VAR}`` references, and what a choice needs is asked for."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from nightowl.settings import load_settings
from nightowl.settings.starter import (
    ADMIN_TOKEN_VAR,
    WEBHOOK_TOKEN_VAR,
    Deploys,
    Logs,
    Metrics,
    Notify,
    Stack,
    env_file_text,
    starter_config,
)

DETAILS = {
    "logs_url": "http://127.0.0.1:3100",
    "logs_path": "/var/log/app/*.log",
    "deploys_url": "https://argocd.example.org",
    "github_repo": "acme/checkout",
    "notify_url": "http://127.0.0.1:9000/hook",
    "email_to": ("oncall@example.org",),
    "email_from": "nightowl@example.org",
    "smtp_host": "smtp.example.org",
}


def given(stack: Stack) -> dict[str, SecretStr]:
    return {var: SecretStr(f"secret-of-{var.lower()}") for var in stack.secret_vars()}


@pytest.mark.parametrize(
    ("metrics", "logs", "deploys", "notify", "kubernetes"),
    list(itertools.product(Metrics, Logs, Deploys, Notify, (False, True))),
)
def test_every_stack_loads_through_the_settings_model(
    tmp_path: Path, metrics: Metrics, logs: Logs, deploys: Deploys, notify: Notify, kubernetes: bool
) -> None:
    stack = Stack(
        metrics=metrics,
        logs=logs,
        deploys=deploys,
        notify=notify,
        kubernetes=kubernetes,
        data_dir=tmp_path / "data",
        **DETAILS,  # type: ignore[arg-type]
    )
    assert stack.missing() == []
    starter = starter_config(stack, given(stack), password_hash=None)
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump(starter.config))

    settings = load_settings(
        path, environ={k: v.get_secret_value() for k, v in starter.secrets.items()}
    )

    kinds = [c.kind for c in settings.connectors]
    assert (metrics.value in kinds) is (metrics is not Metrics.NONE)
    assert ("kubernetes" in kinds) is kubernetes
    assert [n.kind for n in settings.notify.notifiers] == [notify.value]
    assert settings.webhook_tokens("alertmanager") == [
        starter.secrets[WEBHOOK_TOKEN_VAR].get_secret_value()
    ]
    assert settings.ui.users["admin"].role == "admin"
    text = path.read_text()
    for value in starter.secrets.values():
        assert value.get_secret_value() not in text, "secrets stay out of the file"


def test_what_a_choice_needs_is_named_by_its_flag(tmp_path: Path) -> None:
    stack = Stack(logs=Logs.LOKI, deploys=Deploys.GITHUB, notify=Notify.EMAIL, data_dir=tmp_path)

    assert stack.missing() == [
        "--logs-url",
        "--github-repo",
        "--email-to",
        "--email-from",
        "--smtp-host",
    ]
    assert stack.secret_vars() == ["GITHUB_TOKEN"]


def test_the_admin_gets_a_token_and_the_password_hash_given(tmp_path: Path) -> None:
    stack = Stack(admin="ops", data_dir=tmp_path)
    starter = starter_config(stack, {"SLACK_WEBHOOK_URL": SecretStr("u")}, "scrypt$1$2$3$4$5")

    assert starter.config["api"]["users"] == {"ops": f"${{{ADMIN_TOKEN_VAR}}}"}
    assert starter.config["ui"]["users"]["ops"]["password_hash"] == "scrypt$1$2$3$4$5"
    assert starter.config["approvals"]["approvers"] == {"*": ["ops"]}
    tokens = {starter.secrets[v].get_secret_value() for v in (ADMIN_TOKEN_VAR, WEBHOOK_TOKEN_VAR)}
    assert len(tokens) == 2
    assert all(len(t) >= 40 for t in tokens)


def test_the_env_file_quotes_values_for_the_shell() -> None:
    text = env_file_text({"B": SecretStr("it's"), "A": SecretStr("plain")})

    assert text.splitlines()[1:] == ["A='plain'", "B='it'\\''s'"]
