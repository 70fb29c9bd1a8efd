"""``nightowl incidents list|show|report|resolve``: read incidents, export their postmortems and
close an escalated one by hand."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, identity, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import Incident, IncidentStatus, StageStatus, outcome_of
from nightowl.errors import InputError
from nightowl.report.export import ReportFormat

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
        with records_of(config, data_dir, reading=True) as records:
            acting_as(records, Act.READ)
            rows = records.incidents(limit=limit, status=status)
        if as_json:
            typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
            return
        table = Table(title=f"{len(rows)} incident(s)")
        # the id is what `incidents show` takes: never cut, the title folds instead
        table.add_column("id", no_wrap=True, min_width=max((len(r.id) for r in rows), default=2))
        for col in ("opened (UTC)", "status", "severity", "service", "alerts", "title"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.id,
                f"{r.opened_at:%Y-%m-%d %H:%M}",
                r.status.value,
                r.severity.value if r.severity else "-",
                escape(r.service or "-"),
                str(r.alert_count),
                escape(r.title),
            )
        console.print(table)


@incidents_app.command("show")
def show_cmd(
    incident_id: Annotated[
        str,
        typer.Argument(
            help="The incident id, or its start if no other id starts so "
            "(see `nightowl incidents list`)."
        ),
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one incident: its stages, diagnosis, actions, verification and report path."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            acting_as(records, Act.READ)
            incident = records.incident(incident_id)
        if as_json:
            typer.echo(json.dumps(incident.model_dump(mode="json"), indent=2))
            return
        show(incident)


@incidents_app.command("report")
def report_cmd(
    incident_id: Annotated[
        str,
        typer.Argument(
            help="The incident id, or its start if no other id starts so "
            "(see `nightowl incidents list`)."
        ),
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", help="markdown (Git, Confluence), html (one file) or json."),
    ] = ReportFormat.MARKDOWN,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
) -> None:
    """Export an incident's postmortem as Markdown, HTML or JSON (the typed report)."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            acting_as(records, Act.READ)
            incident = records.incident(incident_id)
            text = records.export_report(incident, fmt)
        if output is None:
            typer.echo(text, nl=not text.endswith("\n"))
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write {output}: {exc.strerror}; choose another --output"
            ) from None
        console.print(f"wrote the {fmt.value} postmortem of {incident.id} to {output}")


@incidents_app.command("resolve")
def resolve_cmd(
    incident_id: Annotated[str, typer.Argument(help="The incident id or a prefix of it.")],
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="Why it is closed (kept in the audit trail).")
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Close an escalated incident by hand, saying why (responder role; audited)."""
    from nightowl.app.closing import resolve_by_hand

    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            incident = resolve_by_hand(records, incident_id, reason, identity(records.settings))
        console.print(f"incident {incident.id} resolved: {escape(reason)}")


def show(incident: Incident) -> None:
    """Print an incident's story: its stages, diagnosis, verification, status and report."""
    table = Table(title=escape(f"Incident {incident.id}: {incident.title}"), show_lines=False)
    table.add_column("stage", style="bold")
    table.add_column("at (UTC)")
    table.add_column("took", justify="right")
    table.add_column("what happened")
    for s in incident.stages:
        style = "red" if s.status is StageStatus.FAILED else ""
        took = _took(s.finished_at - s.started_at) if s.finished_at else "running"
        what = escape(s.error or s.summary)
        table.add_row(s.stage.value, f"{s.started_at:%H:%M:%S}", took, what, style=style)
    console.print(table)
    if incident.diagnosis:
        console.print(
            Panel(
                escape(incident.diagnosis.explanation),
                title=f"Diagnosis ({incident.diagnosis.confidence:.0%})",
                border_style="cyan",
            )
        )
    v, outcome = incident.verification, outcome_of(incident)
    if v and v.summary != outcome.why:  # a resolved incident's status line says it already
        # the summary starts "recovered: …" / "not recovered: …" (no "Recovered: recovered:")
        console.print(f"[{'green' if v.recovered else 'red'}]Verification:[/] {escape(v.summary)}")
    console.print(f"Status: [bold]{outcome.status.value}[/]", escape(f"— {outcome.why}"))
    if outcome.human_action:
        console.print("[bold yellow]Next:[/]", escape(outcome.human_action))
    if incident.report_path:
        console.print(f"Report: [bold]{escape(str(incident.report_path))}[/]")
    else:
        console.print("Report: not written yet (the report stage has not run)")


def _took(elapsed: timedelta) -> str:
    """A stage's duration as people read it: ``0.4 s``, ``12 s``, ``6 min``."""
    seconds = elapsed.total_seconds()
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
