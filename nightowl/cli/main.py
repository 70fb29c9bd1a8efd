"""The ``nightowl`` command."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from nightowl.cli.lazy import add_lazy, lazy_typer
from nightowl.cli.options import (
    AccessLogOpt,
    ConfigOpt,
    DataDirOpt,
    LogFormatOpt,
    LogLevelOpt,
    RoleOpt,
)
from nightowl.cli.plugins import add_plugin_commands
from nightowl.logs import LEVELS
from nightowl.logs import configure as configure_logging

# Every command module is imported when its command runs (nightowl.cli.lazy): `nightowl --help`
# and `--version` import neither the application nor its libraries. The help lines are the
# commands' own; tests/cli/test_lazy.py checks they match.
app = lazy_typer(
    name="nightowl",
    help="nightowl — the open-source AI SRE that takes the 3 AM page.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # Click's help: Typer's Rich help prints <bool> after every flag
)
add_lazy(
    app,
    "init",
    "nightowl.cli.init:init",
    "Write a working nightowl.yaml for your stack and create the first admin user.",
)
add_lazy(app, "incidents", "nightowl.cli.incidents:incidents_app", "List and inspect incidents.")
add_lazy(app, "config", "nightowl.cli.config:config_app", "Inspect and validate configuration.")
add_lazy(app, "silence", "nightowl.cli.silence:silence_app", "Create, list and expire silences.")
add_lazy(
    app,
    "deadletter",
    "nightowl.cli.deadletter:deadletter_app",
    "Inspect, replay and purge rejected webhook bodies.",
)
add_lazy(
    app,
    "check",
    "nightowl.cli.check:check_app",
    "Check that nightowl can use what it is configured with.",
)
add_lazy(
    app, "deploy", "nightowl.cli.deploy:deploy_app",
    "Record deploys (from CI pipelines), assess their risk, read their canary analyses.",
)  # fmt: skip
add_lazy(
    app,
    "graph",
    "nightowl.cli.graph:graph_app",
    "The knowledge graph: owners, dependencies, who changed what.",
)
add_lazy(
    app,
    "mcp",
    "nightowl.cli.mcp:mcp_cmd",
    "Serve nightowl over MCP on stdin/stdout (for Claude Desktop, an IDE, an agent).",
)
add_lazy(
    app,
    "memory",
    "nightowl.cli.memory:memory_app",
    "Incident memory: similar incidents, feedback, forgetting.",
)
add_lazy(
    app,
    "runbook",
    "nightowl.cli.runbook:runbook_app",
    "Check runbooks and preview what they would do.",
)
add_lazy(
    app,
    "cve",
    "nightowl.cli.cve:cve_app",
    "CVE posture: what runs, what is vulnerable, what fixes it.",
)
add_lazy(app, "policy", "nightowl.cli.policy:policy_app", "Test the safety policy.")
add_lazy(app, "db", "nightowl.cli.db:db_app", "The store's schema: migrate, current, heads.")
add_lazy(
    app,
    "approvals",
    "nightowl.cli.approvals:approvals_app",
    "Approval requests waiting for a human.",
)
add_lazy(
    app,
    "killswitch",
    "nightowl.cli.killswitch:killswitch_app",
    "Stop (or resume) every write nightowl makes.",
)
add_lazy(
    app,
    "audit",
    "nightowl.cli.audit:audit_app",
    "Verify and export the tamper-evident audit trail.",
)
add_lazy(
    app,
    "approve",
    "nightowl.cli.approvals:approve",
    "Approve a pending request: nightowl then acts, still through every guardrail.",
)
add_lazy(app, "deny", "nightowl.cli.approvals:deny", "Deny a pending request: nothing is executed.")
add_lazy(app, "watch", "nightowl.cli.watch:watch_app", "Watchers: scheduled checks of the estate.")
add_lazy(app, "drift", "nightowl.cli.drift:drift_app", "Infrastructure changed outside its code.")
add_lazy(app, "cost", "nightowl.cli.cost:cost_app", "The cost of a change.")
add_lazy(app, "model", "nightowl.cli.model:model_app", "Served models: data and model drift.")
add_plugin_commands(
    app
)  # the lab's commands (demo, eval, bench, ...) when nightowl-lab is installed


def _print_version(wanted: bool) -> None:
    if wanted:
        try:
            typer.echo(f"nightowl {version('nightowl')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            from nightowl import __version__

            typer.echo(f"nightowl {__version__} (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print nightowl's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    del show_version  # handled by its callback, before any command runs


@app.command()
def serve(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: server.host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: server.port).")
    ] = None,
    log_level: LogLevelOpt = None,
    log_format: LogFormatOpt = None,
    access_log: AccessLogOpt = None,
    role: RoleOpt = None,
) -> None:
    """Run the HTTP API and the web UI (/ui): webhooks in, incidents out. Resumes incidents a
    crash interrupted."""
    from nightowl.cli.common import settings_from, user_errors
    from nightowl.cli.serve import run_server, with_logging, with_role

    with user_errors():
        settings = with_logging(settings_from(config, data_dir), log_level, log_format, access_log)
        run_server(with_role(settings, None if role is None else role.value), host, port)


@app.command("hash-password")
def hash_password(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Print a password hash for ui.users.<name>.password_hash (asks for the password)."""
    from nightowl.ui.passwords import main as ask

    del config, data_dir  # taken like every command's; a hash needs neither
    raise typer.Exit(ask())


def main() -> None:
    # Every command logs at $NIGHTOWL_LOG_LEVEL (else WARNING); serve reconfigures from its flags
    # and the logging section, and settings loading names a level that is not one.
    level = os.environ.get("NIGHTOWL_LOG_LEVEL", "").upper()
    configure_logging(level if level in LEVELS else "WARNING")
    app()
