"""The ``nightowl`` command."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from nightowl.cli.lazy import add_lazy, lazy_typer
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.cli.plugins import add_plugin_commands

# Every command module is imported when its command runs (nightowl.cli.lazy): `nightowl --help`
# and `--version` import neither the application nor its libraries. The help lines are the
# commands' own; tests/cli/test_lazy.py checks they match.
app = lazy_typer(
    name="nightowl",
    help="nightowl — the open-source AI SRE that takes the 3 AM page.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
config_app = typer.Typer(help="Inspect and validate configuration.", no_args_is_help=True)
add_lazy(app, "incidents", "nightowl.cli.incidents:incidents_app", "List and inspect incidents.")
app.add_typer(config_app, name="config")
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
add_lazy(app, "deploy", "nightowl.cli.deploy:deploy_app", "Record deploys (from CI pipelines).")
add_lazy(
    app,
    "runbook",
    "nightowl.cli.runbook:runbook_app",
    "Check runbooks and preview what they would do.",
)
add_lazy(app, "policy", "nightowl.cli.policy:policy_app", "Test the safety policy.")
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
) -> None:
    """Run the HTTP API and the web UI (/ui): webhooks in, incidents out. Resumes incidents a
    crash interrupted."""
    from nightowl.cli.common import settings_from, user_errors
    from nightowl.cli.serve import run_server

    with user_errors():
        run_server(settings_from(config, data_dir), host, port)


@app.command("hash-password")
def hash_password(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Print a password hash for ui.users.<name>.password_hash (asks for the password)."""
    from nightowl.ui.passwords import main as ask

    del config, data_dir  # taken like every command's; a hash needs neither
    raise typer.Exit(ask())


@config_app.command("check")
def config_check(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Validate the configuration; name the file, key and reason of anything wrong."""
    import json

    from nightowl.cli.common import console, settings_from, user_errors

    with user_errors():
        settings = settings_from(config, data_dir)
        from nightowl.app import Nightowl  # building the integrations validates their own config

        Nightowl(settings).shutdown()
        if as_json:
            typer.echo(json.dumps({"ok": True, "data_dir": str(settings.data_dir)}))
        else:
            console.print(
                f"[green]configuration OK[/] (data dir: {settings.data_dir}, store: {settings.store_url})"
            )


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app()
