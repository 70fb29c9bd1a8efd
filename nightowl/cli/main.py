"""The ``nightowl`` command."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from nightowl.cli import approvals
from nightowl.cli.approvals import approvals_app
from nightowl.cli.audit import audit_app
from nightowl.cli.check import check_app
from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.deadletter import deadletter_app
from nightowl.cli.deploy import deploy_app
from nightowl.cli.incidents import incidents_app
from nightowl.cli.killswitch import killswitch_app
from nightowl.cli.mcp import mcp_cmd
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.cli.plugins import add_plugin_commands
from nightowl.cli.policy import policy_app
from nightowl.cli.runbook import runbook_app
from nightowl.cli.silence import silence_app

app = typer.Typer(
    name="nightowl",
    help="nightowl — the open-source AI SRE that takes the 3 AM page.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
config_app = typer.Typer(help="Inspect and validate configuration.", no_args_is_help=True)
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
app.command("mcp")(mcp_cmd)
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
) -> None:
    """Run the HTTP API and the web UI (/ui): webhooks in, incidents out. Resumes incidents a
    crash interrupted."""
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
