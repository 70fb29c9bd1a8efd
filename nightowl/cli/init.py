"""``nightowl init``: write a first ``nightowl.yaml`` for a team's stack, check it, say what next.

Asks (Rich prompts) or takes flags (``--non-interactive``); validates the file through the settings
model and the integrations' own config before writing it; never overwrites without ``--force``.
Secrets go to ``<name>.env`` (mode 0600, referenced as ``${VAR}`` from the file) and to
``alertmanager.token`` (0600, Alertmanager's ``credentials_file``); none is printed.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import SecretStr, ValidationError
from rich.prompt import Confirm, Prompt

from nightowl.cli.common import console, err_console, user_errors
from nightowl.cli.config import reach
from nightowl.connectors.health import CheckResult
from nightowl.errors import InputError
from nightowl.settings import Settings, load_settings
from nightowl.settings.starter import (
    ADMIN_TOKEN_VAR,
    WEBHOOK_TOKEN_VAR,
    Deploys,
    Logs,
    Metrics,
    Notify,
    Stack,
    Starter,
    env_file_text,
    starter_config,
)
from nightowl.ui.passwords import hash_password

NOTIFIER = "notifier "
"""How ``reach`` (config check --live) names a notifier's check: ``notifier <kind>``."""

PASSWORD_VAR = "NIGHTOWL_ADMIN_PASSWORD"
TOKEN_FILE = "alertmanager.token"


def init(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The configuration file to write.")
    ] = Path("nightowl.yaml"),
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where nightowl keeps its database and reports.")
    ] = Path("nightowl-data"),
    non_interactive: Annotated[
        bool, typer.Option("--non-interactive", help="Ask nothing: take the flags (and env).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Reach each connector once written.")
    ] = True,
    metrics: Annotated[Metrics, typer.Option(help="Metrics source.")] = Metrics.PROMETHEUS,
    metrics_url: Annotated[str, typer.Option(help="Its URL.")] = "http://127.0.0.1:9090",
    scrape_seconds: Annotated[
        int | None,
        typer.Option(help="Your scrape interval: read at that step, rates over 4 intervals."),
    ] = None,
    logs: Annotated[Logs, typer.Option(help="Log source.")] = Logs.NONE,
    logs_url: Annotated[str | None, typer.Option(help="Loki / Elasticsearch URL.")] = None,
    logs_path: Annotated[str | None, typer.Option(help="Log files glob (files).")] = None,
    kubernetes: Annotated[
        bool, typer.Option("--kubernetes/--no-kubernetes", help="Read a Kubernetes cluster.")
    ] = False,
    namespace: Annotated[
        list[str] | None, typer.Option(help="Kubernetes namespace (repeatable).")
    ] = None,
    deploys: Annotated[Deploys, typer.Option(help="Deploy history source.")] = Deploys.NONE,
    deploys_url: Annotated[str | None, typer.Option(help="Argo CD URL.")] = None,
    github_repo: Annotated[str | None, typer.Option(help="owner/name (github).")] = None,
    notify: Annotated[Notify, typer.Option(help="Who hears about incidents.")] = Notify.SLACK,
    notify_url: Annotated[str | None, typer.Option(help="URL to POST to (webhook).")] = None,
    email_to: Annotated[list[str] | None, typer.Option(help="Recipient (repeatable).")] = None,
    email_from: Annotated[str | None, typer.Option(help="From address (email).")] = None,
    smtp_host: Annotated[str | None, typer.Option(help="SMTP server (email).")] = None,
    admin: Annotated[str, typer.Option(help="Name of the first admin user.")] = "admin",
    host: Annotated[str, typer.Option(help="Address nightowl serve listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port nightowl serve listens on.")] = 8080,
    public_url: Annotated[
        str | None, typer.Option(help="External URL of nightowl (links in messages).")
    ] = None,
) -> None:
    """Write a working nightowl.yaml for your stack and create the first admin user.

    It checks each connector and notifier live and prints the Alertmanager receiver to paste.
    Secrets are read from the environment (SLACK_WEBHOOK_URL, PAGERDUTY_ROUTING_KEY, GITHUB_TOKEN,
    ARGOCD_TOKEN, NIGHTOWL_ADMIN_PASSWORD) or asked for, and never printed."""
    answers: dict[str, Any] = {
        k: v for k, v in locals().items() if k in Stack.model_fields and v is not None
    }
    answers["data_dir"] = data_dir.absolute()
    answers["namespaces"] = tuple(namespace or ("default",))
    answers["email_to"] = tuple(email_to or ())
    with user_errors():
        files = _targets(config, force)
        stack = _stack(answers) if non_interactive else _stack(_ask(answers))
        starter = starter_config(
            stack, _secrets(stack, non_interactive), _password(stack, non_interactive)
        )
        settings = _write(starter, files)
        console.print(
            f"[green]wrote[/] {files.config} (secrets: {files.env}, {files.token}; mode 0600)",
            highlight=False,
        )
        if check:
            _check(settings, files)
    _next_steps(settings, stack, files)


def _stack(answers: dict[str, Any]) -> Stack:
    try:
        stack = Stack.model_validate(answers)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(problems) from None
    if missing := stack.missing():
        raise InputError(f"your choices also need {', '.join(missing)}")
    return stack


def _ask(given: dict[str, Any]) -> dict[str, Any]:
    """Ask for every choice, the flags' values as defaults; then what the choices need."""
    out = dict(given)
    for key, kind in (("metrics", Metrics), ("logs", Logs), ("deploys", Deploys)):
        out[key] = Prompt.ask(key, choices=[*kind], default=str(given[key]))
    if out["metrics"] != Metrics.NONE:
        out["metrics_url"] = Prompt.ask("metrics URL", default=given["metrics_url"])
    if out["logs"] in (Logs.LOKI, Logs.ELASTICSEARCH):
        out["logs_url"] = Prompt.ask("logs URL", default=given.get("logs_url"))
    elif out["logs"] == Logs.FILES:
        out["logs_path"] = Prompt.ask("log files (a glob)", default=given.get("logs_path"))
    out["kubernetes"] = Confirm.ask("read a Kubernetes cluster?", default=given["kubernetes"])
    if out["kubernetes"]:
        spaces = Prompt.ask("namespaces (comma-separated)", default=",".join(given["namespaces"]))
        out["namespaces"] = tuple(s.strip() for s in spaces.split(",") if s.strip())
    if out["deploys"] == Deploys.GITHUB:
        out["github_repo"] = Prompt.ask(
            "GitHub repo (owner/name)", default=given.get("github_repo")
        )
    elif out["deploys"] == Deploys.ARGOCD:
        out["deploys_url"] = Prompt.ask("Argo CD URL", default=given.get("deploys_url"))
    out["notify"] = Prompt.ask("notify", choices=[*Notify], default=str(given["notify"]))
    if out["notify"] == Notify.WEBHOOK:
        out["notify_url"] = Prompt.ask("URL to POST messages to", default=given.get("notify_url"))
    elif out["notify"] == Notify.EMAIL:
        out["smtp_host"] = Prompt.ask("SMTP server", default=given.get("smtp_host"))
        out["email_from"] = Prompt.ask("From address", default=given.get("email_from"))
        out["email_to"] = (Prompt.ask("To address"),)
    out["admin"] = Prompt.ask("first admin user", default=given["admin"])
    return out


def _secrets(stack: Stack, non_interactive: bool) -> dict[str, SecretStr]:
    """The team's secrets the stack needs: from the environment, else asked for (hidden)."""
    values: dict[str, SecretStr] = {}
    for var in stack.secret_vars():
        value = os.environ.get(var) or (
            None if non_interactive else Prompt.ask(f"{var} (not shown)", password=True)
        )
        if not value:
            raise InputError(f"set {var} in the environment: your choices need it")
        values[var] = SecretStr(value)
    return values


def _password(stack: Stack, non_interactive: bool) -> str | None:
    """The admin's web UI password hash: from $NIGHTOWL_ADMIN_PASSWORD or asked twice; none
    (API token only) when neither."""
    password = os.environ.get(PASSWORD_VAR)
    if password is None and not non_interactive:
        password = Prompt.ask(f"web UI password for {stack.admin} (not shown)", password=True)
        if password and Prompt.ask("again", password=True) != password:
            raise InputError("the passwords differ; run nightowl init again")
    if not password:
        return None
    if len(password) < 8:
        raise InputError("use a password of at least 8 characters")
    return hash_password(password)


class _Files:
    """The files ``init`` writes: the configuration, its secrets, Alertmanager's token."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.env = config.with_suffix(".env")
        self.token = config.parent / TOKEN_FILE

    def all(self) -> tuple[Path, Path, Path]:
        return self.config, self.env, self.token


def _targets(output: Path, force: bool) -> _Files:
    files = _Files(output.absolute())
    existing = [str(p) for p in files.all() if p.exists()]
    if existing and not force:
        raise InputError(f"{', '.join(existing)} already exist(s); pass --force to overwrite")
    files.config.parent.mkdir(parents=True, exist_ok=True)
    return files


def _write(starter: Starter, files: _Files) -> Settings:
    """Validate the configuration as ``serve`` will load it, then write the three files."""
    text = "# Written by `nightowl init`; reference: docs/configuration.md\n" + yaml.safe_dump(
        starter.config, sort_keys=False
    )
    environ = {k: v.get_secret_value() for k, v in starter.secrets.items()}
    with tempfile.TemporaryDirectory(dir=files.config.parent) as scratch:
        draft = Path(scratch) / files.config.name
        draft.write_text(text, encoding="utf-8")
        settings = load_settings(draft, environ=environ)
        _build(settings)
    _private(files.env, env_file_text(starter.secrets))
    _private(files.token, environ[WEBHOOK_TOKEN_VAR] + "\n")
    _private(files.config, text)
    return settings


def _build(settings: Settings) -> None:
    """Build the integrations, which validate their own keys (as ``config check`` does)."""
    from nightowl.app import Nightowl

    Nightowl(settings).shutdown()


def _private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(text)


def _check(settings: Settings, files: _Files) -> None:
    from nightowl.app import Nightowl

    app = Nightowl(settings)
    try:  # the connectors' health checks, then the notifiers reached (nothing is sent)
        results = asyncio.run(reach(app))
    finally:
        app.shutdown()
    if not any(not r.kind.startswith(NOTIFIER) for r in results):
        err_console.print("[bold yellow]warning:[/] no connector configured: nothing to read")
    for r in results:
        console.print(_line(r), highlight=False)
    if not all(r.ok for r in results):
        console.print(
            "fix the URL (nightowl init --force) or start the backend, then: "
            f"nightowl config check --live --config {files.config}",
            markup=False,
            highlight=False,
        )


def _line(result: CheckResult) -> str:
    head = f"connector {result.name} ({result.kind}): "
    if result.kind.startswith(NOTIFIER):
        head = f"notifier {result.name} ({result.kind.removeprefix(NOTIFIER)}): "
    if result.ok:
        return head + f"[green]ok[/] ({result.latency_ms:.0f} ms)"
    return head + f"[red]unreachable[/]: {result.error}"


def _next_steps(settings: Settings, stack: Stack, files: _Files) -> None:
    url = f"http://{stack.host}:{stack.port}/api/v1/webhooks/alertmanager"
    console.print(
        f"admin [bold]{stack.admin}[/]: API token {ADMIN_TOKEN_VAR} in {files.env}"
        + (
            ""
            if _has_password(settings, stack)
            else " (no web UI password: set one with "
            f"{PASSWORD_VAR} and init --force, or `nightowl hash-password`)"
        ),
        highlight=False,
    )
    console.print("\nPaste into alertmanager.yml (route: {receiver: nightowl}):", highlight=False)
    snippet = {
        "receivers": [
            {
                "name": "nightowl",
                "webhook_configs": [
                    {
                        "url": url,
                        "send_resolved": True,
                        "http_config": {"authorization": {"credentials_file": str(files.token)}},
                    }
                ],
            }
        ]
    }
    console.print(yaml.safe_dump(snippet, sort_keys=False), markup=False, highlight=False)
    console.print(
        f"Then: set -a; . {files.env}; set +a; nightowl serve --config {files.config}",
        markup=False,
        highlight=False,
    )


def _has_password(settings: Settings, stack: Stack) -> bool:
    user = settings.ui.users.get(stack.admin)
    return user is not None and user.password_hash is not None
