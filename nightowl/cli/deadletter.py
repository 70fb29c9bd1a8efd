"""``nightowl deadletter list|replay``: what was rejected, and feeding it again after a fix."""

from __future__ import annotations

import asyncio
import json
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
    help="Inspect and replay rejected webhook bodies.", no_args_is_help=True
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
        with records_of(config, data_dir) as records:
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
                }
                for d in letters
            ]
            typer.echo(json.dumps(rows, indent=2))
            return
        table = Table(title=f"{len(letters)} dead letter(s)")
        for col in ("id", "received (UTC)", "source", "bytes", "replayed", "reason"):
            table.add_column(col)
        for d in letters:
            table.add_row(
                str(d.id),
                f"{d.received_at:%Y-%m-%d %H:%M:%S}",
                d.source,
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
                return await app.replay(dead_letter_id)
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
