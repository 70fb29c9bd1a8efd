"""``nightowl incidents list|show``: read incidents from the store."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from nightowl.cli.common import console, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import IncidentStatus

incidents_app = typer.Typer(help="List and inspect incidents.", no_args_is_help=True)


@incidents_app.command("list")
def list_cmd(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    status: Annotated[
        IncidentStatus | None, typer.Option(help="Only incidents in this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List incidents, newest first."""
    with user_errors():
        with records_of(config, data_dir) as records:
            rows = records.incidents(limit=limit, status=status)
        if as_json:
            typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
            return
        table = Table(title=f"{len(rows)} incident(s)")
        for col in ("id", "opened (UTC)", "status", "severity", "service", "alerts", "title"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.id,
                f"{r.opened_at:%Y-%m-%d %H:%M}",
                r.status.value,
                r.severity.value if r.severity else "-",
                r.service or "-",
                str(r.alert_count),
                r.title,
            )
        console.print(table)


@incidents_app.command("show")
def show_cmd(
    incident_id: Annotated[
        str, typer.Argument(help="The incident id (see `nightowl incidents list`).")
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one incident: its stages, diagnosis, actions, verification and report path."""
    from nightowl.cli.demo import show

    with user_errors():
        with records_of(config, data_dir) as records:
            incident = records.incident(incident_id)
        if as_json:
            typer.echo(json.dumps(incident.model_dump(mode="json"), indent=2))
            return
        show(incident)
