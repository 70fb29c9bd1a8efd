"""``nightowl audit verify`` and ``nightowl audit export [--since]``: the HMAC-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from nightowl.cli.common import console, err_console, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt
from nightowl.domain import utc
from nightowl.errors import InputError
from nightowl.store.audit_anchor import parse_anchor

audit_app = typer.Typer(
    help="Verify and export the tamper-evident audit trail.", no_args_is_help=True
)


@audit_app.command("verify")
def verify_cmd(
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            help="Also check against this anchor: an 'audit anchor seq=N mac=…' log line kept "
            "off the machine, or N:MAC. Repeatable."
        ),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Check every record's HMAC and hold the chain against its anchors outside the database;
    exit 1 saying what was found (a rewrite, deleted records, a wiped trail), 2 for a missing key."""
    with user_errors():
        given = [parse_anchor(text) for text in anchor or []]
        with records_of(config, data_dir, reading=True) as records:
            check = records.audit_check(given)
    for note in check.notes:
        err_console.print(f"[yellow]note:[/] {note}")
    if not check.ok:
        err_console.print(
            f"[bold red]audit chain broken:[/] {check.reason} (after {check.checked} good records)"
        )
        raise typer.Exit(1)
    console.print(
        f"[green]audit chain intact[/]: {check.checked} records signed with key {check.key_id}, "
        f"checked against {check.anchors} anchors in {check.anchor_file}"
    )


@audit_app.command("export")
def export_cmd(
    since: Annotated[
        str | None, typer.Option(help="Only records at or after this ISO time.")
    ] = None,
    incident: Annotated[
        str | None, typer.Option(help="Only this incident's records (its id or the start of it).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write the records as JSON lines, in chain order, with their hashes."""
    with user_errors():
        try:
            start = utc(datetime.fromisoformat(since)) if since else None
        except ValueError:
            raise InputError(
                f"--since {since!r} is not an ISO time such as 2030-01-31T03:00:00Z"
            ) from None
        with records_of(config, data_dir, reading=True) as records:
            wanted = records.incident_id(incident) if incident else None
            found = records.audit_records(since=start, incident_id=wanted)
            lines = [r.model_dump_json() for r in found]
    text = "".join(line + "\n" for line in lines)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(lines)} records written to {output}")
