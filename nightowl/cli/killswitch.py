"""``nightowl killswitch on|off|status``: stop every write nightowl makes, on every worker.

The switch lives in the database, and every write reads it immediately before it happens, so it
takes effect before the next write anywhere. The command acts as ``$NIGHTOWL_TOKEN``'s holder, else
the operating-system user (role from ``cli.users``). Turning it on takes a responder; off, an
approver who is a global approver (``approvals.approvers['*']``; with none configured, an
approver at the machine).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, identity, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import KillSwitch

killswitch_app = typer.Typer(
    help="Stop (or resume) every write nightowl makes.", no_args_is_help=True
)
ReasonOpt = Annotated[str, typer.Option(help="Why (recorded in the audit trail).")]


def _set(on: bool, reason: str, config: ConfigOpt, data_dir: DataDirOpt) -> KillSwitch:
    with records_of(config, data_dir) as records:
        me = identity(records.settings)  # set_killswitch checks the role (a refusal audited)
        return records.set_killswitch(on, by=me, reason=reason, local=True)


@killswitch_app.command("on")
def on_cmd(
    reason: ReasonOpt = "",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Turn the kill switch on: no action, no rollback is written until it is turned off."""
    with user_errors():
        state = _set(True, reason, config, data_dir)
    console.print(f"[bold red]kill switch ON[/] (by {state.by}): nightowl writes nothing")


@killswitch_app.command("off")
def off_cmd(
    reason: ReasonOpt = "",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Turn the kill switch off: writes resume, each still through the policy."""
    with user_errors():
        state = _set(False, reason, config, data_dir)
    console.print(f"[green]kill switch off[/] (by {state.by})")


@killswitch_app.command("status")
def status_cmd(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Show whether the kill switch is on, since when, by whom and why."""
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        acting_as(records, Act.READ)
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
