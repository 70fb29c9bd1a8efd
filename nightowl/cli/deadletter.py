"""``nightowl deadletter list|replay|purge``: what was rejected, feeding it again after a fix, and
dropping what is no longer needed."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import (
    acting_as,
    console,
    identity,
    records_of,
    settings_from,
    user_errors,
)
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.errors import NightowlError
from nightowl.intake.service import IntakeResult

deadletter_app = typer.Typer(
    help="Inspect, replay and purge rejected webhook bodies.", no_args_is_help=True
)


@deadletter_app.command("list")
def list_cmd(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 100,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List dead letters: every rejected request's raw body, source and reason."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            acting_as(records, Act.READ_DEAD_LETTERS)
            letters = records.dead_letters(limit=limit)
        if as_json:
            rows = [
                {
                    "id": d.id,
                    "source": d.source,
                    "received_at": d.received_at.isoformat(),
                    "reason": d.reason,
                    "content_type": d.content_type,
                    "bytes": len(d.body),
                    "body": d.body.decode("utf-8", errors="replace"),
                    "replayed_at": d.replayed_at.isoformat() if d.replayed_at else None,
                    "sender": d.sender,
                }
                for d in letters
            ]
            typer.echo(json.dumps(rows, indent=2))
            return
        table = Table(title=f"{len(letters)} dead letter(s)")
        for col in ("id", "received (UTC)", "source", "sender", "bytes", "replayed", "reason"):
            table.add_column(col)
        for d in letters:
            table.add_row(
                str(d.id),
                f"{d.received_at:%Y-%m-%d %H:%M:%S}",
                d.source,
                d.sender or "-",
                str(len(d.body)),
                "yes" if d.replayed_at else "",
                d.reason,
            )
        console.print(table)


@deadletter_app.command("replay")
def replay(
    dead_letter_id: Annotated[
        int, typer.Argument(help="The dead letter's id (see `nightowl deadletter list`).")
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Feed a dead letter through parsing and intake again, with the current configuration."""
    from nightowl.app import Nightowl

    with user_errors():
        settings = settings_from(config, data_dir)
        me = identity(settings)
        app = Nightowl(settings)
        try:
            app.records.guard(me, Act.REPLAY_DEAD_LETTER)
        except NightowlError:
            app.shutdown()
            raise

        async def run() -> IntakeResult:
            app.launch()
            try:
                return await app.replay(dead_letter_id, by=me.name)
            finally:
                await app.stop_background()
                app.shutdown()

        result = asyncio.run(run())
        if as_json:
            typer.echo(result.model_dump_json(indent=2))
        else:
            console.print(
                f"[green]replayed[/] dead letter {dead_letter_id}: {result.new_alerts} new, "
                f"{result.updated} updated, {result.duplicates} duplicate alert(s); {result.detail}"
            )


UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``45s``, ``2w`` (or ``0s``: everything) as a timedelta."""
    found = DURATION.match(text)
    if found is None:
        raise typer.BadParameter(
            f"{text!r} is not an age; write a number and a unit: 30d, 12h, 90m, 45s or 2w"
        )
    return timedelta(**{UNITS[found.group(2)]: float(found.group(1))})


@deadletter_app.command("purge")
def purge(
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help="Drop dead letters older than this (30d, 12h, 90m; 0s drops all). "
            "Default: webhooks.dead_letters.retention_days.",
        ),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Drop old dead letters (the server also drops them past the retention as new ones come)."""
    age = parse_age(older_than) if older_than is not None else None
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            me = acting_as(records, Act.PURGE_DEAD_LETTERS)
            dropped = records.purge_dead_letters(age, by=me.name)
        if as_json:
            typer.echo(json.dumps({"purged": dropped}))
        else:
            console.print(f"purged {dropped} dead letter(s)")
