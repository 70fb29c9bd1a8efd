"""``nightowl silence add|list|expire``: mute alerts that match, for a while, with a reason.

A silence is created and expired by the CLI's identity (``$NIGHTOWL_TOKEN``'s holder, else the
operating-system user with the role ``cli.users`` gives them), which must be a responder; both are
written to the audit trail under that name.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, identity, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import utc
from nightowl.intake.matchers import parse_matchers

silence_app = typer.Typer(help="Create, list and expire silences.", no_args_is_help=True)


@silence_app.command("add")
def add(
    matchers: Annotated[
        list[str],
        typer.Argument(help="Matchers, e.g. alertname=HighLatency 'service=~\"check.*\"'."),
    ],
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (required).")],
    duration: Annotated[float, typer.Option(help="Minutes from the start.")] = 120.0,
    start: Annotated[
        datetime | None, typer.Option(help="Start (ISO time, UTC if no offset); default now.")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Silence alerts that match every matcher, from START for DURATION minutes."""
    with user_errors():
        with records_of(config, data_dir) as records:
            me = identity(records.settings)  # add_silence checks the role (a refusal audited)
            parsed = tuple(m for text in matchers for m in parse_matchers(text))
            begin = utc(start) if start else records.clock.now()
            silence = records.add_silence(
                parsed,
                begin,
                begin + timedelta(minutes=duration),
                me,
                comment,
            )
        if as_json:
            typer.echo(silence.model_dump_json(indent=2))
        else:
            console.print(
                f"[green]silence {silence.id}[/] until {silence.ends_at:%Y-%m-%d %H:%M} UTC: "
                + escape(", ".join(map(str, silence.matchers)))
            )


@silence_app.command("list")
def list_cmd(
    active: Annotated[
        bool, typer.Option("--active", help="Only silences that have not ended.")
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List silences, newest first."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            acting_as(records, Act.READ)
            now = records.clock.now()
            silences = records.silences(active=active)
        if as_json:
            typer.echo(
                json.dumps(
                    [s.model_dump(mode="json") | {"state": s.state(now).value} for s in silences],
                    indent=2,
                )
            )
            return
        table = Table(title=f"{len(silences)} silence(s)")
        for col in ("id", "state", "matchers", "ends (UTC)", "by", "comment"):
            table.add_column(col)
        for s in silences:
            table.add_row(
                s.id,
                s.state(now).value,
                escape(", ".join(map(str, s.matchers))),  # a regex's [a-z] is not markup
                f"{s.ends_at:%Y-%m-%d %H:%M}",
                escape(s.created_by),
                escape(s.comment),
            )
        console.print(table)


@silence_app.command("expire")
def expire(
    silence_id: Annotated[
        str, typer.Argument(help="The silence id (see `nightowl silence list`).")
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """End a silence now."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            silence = records.expire_silence(silence_id, identity(records.settings))
        console.print(f"silence {silence.id} expired at {silence.ends_at:%Y-%m-%d %H:%M:%S} UTC")
