"""The ``nightowl`` command."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from nightowl.cli import approvals
from nightowl.cli.approvals import approvals_app
from nightowl.cli.audit import audit_app
from nightowl.cli.check import check_app
from nightowl.cli.common import settings_from, user_errors
from nightowl.cli.config import config_app
from nightowl.cli.deadletter import deadletter_app
from nightowl.cli.deploy import deploy_app
from nightowl.cli.incidents import incidents_app
from nightowl.cli.killswitch import killswitch_app
from nightowl.cli.options import (
    AccessLogOpt,
    ConfigOpt,
    DataDirOpt,
    LogFormatOpt,
    LogLevelOpt,
)
from nightowl.cli.plugins import add_plugin_commands
from nightowl.cli.policy import policy_app
from nightowl.cli.runbook import runbook_app
from nightowl.cli.silence import silence_app
from nightowl.logs import LEVELS
from nightowl.logs import configure as configure_logging

app = typer.Typer(
    name="nightowl",
    help="nightowl — the open-source AI SRE that takes the 3 AM page.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(incidents_app, name="incidents")
app.add_typer(config_app, name="config")
app.add_typer(silence_app, name="silence")
app.add_typer(deadletter_app, name="deadletter")
app.add_typer(check_app, name="check")
app.add_typer(deploy_app, name="deploy")
app.add_typer(runbook_app, name="runbook")
app.add_typer(policy_app, name="policy")
app.add_typer(approvals_app, name="approvals")
app.add_typer(killswitch_app, name="killswitch")
app.add_typer(audit_app, name="audit")
app.command("approve")(approvals.approve)
app.command("deny")(approvals.deny)
add_plugin_commands(
    app
)  # the lab's commands (demo, eval, bench, ...) when nightowl-lab is installed


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
) -> None:
    """Run the HTTP API and the web UI (/ui): webhooks in, incidents out. Resumes incidents a
    crash interrupted."""
    from nightowl.cli.serve import run_server, with_logging

    with user_errors():
        settings = with_logging(settings_from(config, data_dir), log_level, log_format, access_log)
        run_server(settings, host, port)


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
