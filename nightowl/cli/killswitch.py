"""``nightowl killswitch on|off|status``: stop every write nightowl makes, on every worker.

The switch lives in the database, and every write reads it immediately before it happens, so it
takes effect before the next write anywhere. Turning it off takes a global approver
(``approvals.approvers['*']``); with none configured, the operator at the machine may.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from nightowl.cli.common import console, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import KillSwitch

killswitch_app = typer.Typer(
    help="Stop (or resume) every write nightowl makes.", no_args_is_help=True
)
ReasonOpt = Annotated[str, typer.Option(help="Why (recorded in the audit trail).")]
AsOpt = Annotated[str | None, typer.Option("--as", help="Act as this user (default: you).")]


def _set(
    on: bool, reason: str, user: str | None, config: ConfigOpt, data_dir: DataDirOpt
) -> KillSwitch:
    with records_of(config, data_dir) as records:
        who = user or getpass.getuser()
        return records.set_killswitch(on, by=who, reason=reason, local=True)


@killswitch_app.command("on")
def on_cmd(
    reason: ReasonOpt = "",
    user: AsOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Turn the kill switch on: no action, no rollback is written until it is turned off."""
    with user_errors():
        state = _set(True, reason, user, config, data_dir)
    console.print(f"[bold red]kill switch ON[/] (by {state.by}): nightowl writes nothing")


@killswitch_app.command("off")
def off_cmd(
    reason: ReasonOpt = "",
    user: AsOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Turn the kill switch off: writes resume, each still through the policy."""
    with user_errors():
        state = _set(False, reason, user, config, data_dir)
    console.print(f"[green]kill switch off[/] (by {state.by})")


@killswitch_app.command("status")
def status_cmd(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Show whether the kill switch is on, since when, by whom and why."""
    with user_errors(), records_of(config, data_dir) as records:
        state = records.killswitch()
    if as_json:
        typer.echo(json.dumps(state.model_dump(mode="json")))
        return
    if state.on:
        console.print(
            f"[bold red]ON[/] since {state.at:%Y-%m-%d %H:%M} UTC by {state.by}: {state.reason or '-'}"
        )
    else:
        console.print("off" + (f" (last changed by {state.by})" if state.by else ""))
