"""``nightowl watch list|run|findings|accept``: the configured watchers and what they found.

``run`` builds nightowl (connectors, the gate, the drivers) and runs one watcher once, exactly
as its schedule would: the findings are tracked in the store and the new ones routed by its
``on_finding`` through the policy (``Act.RUN_WATCHER``; dry run unless ``actions.dry_run`` is
false). ``list`` shows the watchers with their schedule and next run; ``findings`` what they
found; ``accept`` accepts a finding's risk until a date (``Act.ACCEPT_FINDING``).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from croniter import croniter
from rich.markup import escape
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, records_of, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain.findings import Finding, FindingState, WatchRun
from nightowl.errors import InputError

watch_app = typer.Typer(help="Watchers: scheduled checks of the estate.", no_args_is_help=True)


@watch_app.command("list")
def list_cmd(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """The configured watchers: kind, schedule, next run (UTC), what a finding becomes."""
    with user_errors():
        settings = settings_from(config, data_dir)
        now = datetime.now(UTC)
        rows = [
            {
                "name": w.name,
                "kind": w.kind,
                "schedule": w.schedule,
                "next_run": croniter(w.schedule, now).get_next(datetime).isoformat()
                if w.enabled
                else None,
                "on_finding": w.on_finding.value,
                "min_severity": w.min_severity.value,
                "enabled": w.enabled,
            }
            for w in settings.watchers
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(rows)} watcher(s)")
    for col in ("name", "kind", "schedule", "next run (UTC)", "on finding", "min severity"):
        table.add_column(col)
    for r in rows:
        nxt = str(r["next_run"] or "disabled")[:16].replace("T", " ")
        cells = (r["name"], r["kind"], r["schedule"], nxt, r["on_finding"], r["min_severity"])
        table.add_row(*(escape(str(c)) for c in cells))
    console.print(table)


@watch_app.command("run")
def run_cmd(
    name: Annotated[str, typer.Argument(help="The watcher's name (watch list shows them).")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run one watcher now, as its schedule would."""
    from nightowl.app import Nightowl

    with user_errors():
        app = Nightowl(settings_from(config, data_dir))
        try:
            by = acting_as(app.records, Act.RUN_WATCHER)
            with console.status(f"running watcher {escape(name)} …"):
                done = asyncio.run(app.watching.run(name, actor=by.name))
        finally:
            app.shutdown()
    if as_json:
        typer.echo(done.model_dump_json(indent=2))
    else:
        show_run(done)
    if done.error:
        raise typer.Exit(1)


@watch_app.command("findings")
def findings_cmd(
    watcher: Annotated[str | None, typer.Option(help="Only this watcher's.")] = None,
    state: Annotated[list[FindingState] | None, typer.Option(help="Only these states.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 200,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The watchers' findings, most recently seen first."""
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        acting_as(records, Act.READ)
        rows = records.findings(watcher=watcher, states=state or (), limit=limit)
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in rows], indent=2))
        return
    console.print(findings_table(rows, f"{len(rows)} finding(s)"))


@watch_app.command("accept")
def accept_cmd(
    fingerprint: Annotated[str, typer.Argument(help="The finding's fingerprint.")],
    until: Annotated[str, typer.Option(help="ISO 8601 date or time, UTC unless an offset.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Accept a finding's risk until a date: it stays accepted while seen, open after."""
    with user_errors():
        when = _until(until)
        with records_of(config, data_dir, reading=True) as records:
            by = acting_as(records, Act.ACCEPT_FINDING)
            accepted = records.accept_finding(fingerprint, when, by=by)
    console.print(f"accepted {accepted.fingerprint} until {when.isoformat()}")


def _until(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--until {text!r} is not an ISO 8601 date (2027-01-31)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def findings_table(rows: list[Finding], title: str) -> Table:
    table = Table(title=title)
    for col in ("fingerprint", "state", "severity", "kind", "resource", "title", "cost/month"):
        table.add_column(col)
    for f in rows:
        cost = "-" if f.monthly_cost_delta is None else f"{f.monthly_cost_delta:+,.2f}"
        cells = (f.fingerprint, f.state.value, f.severity.value, f.kind, f.resource, f.title, cost)
        table.add_row(*(escape(c) for c in cells))
    return table


def show_run(done: WatchRun) -> None:
    if done.error:
        console.print(
            f"[bold red]watcher {escape(done.watcher)} could not look:[/] {escape(done.error)}"
        )
        return
    console.print(findings_table(list(done.findings), f"{done.watcher}: {len(done.new)} new"))
    for fixed in done.fixed:
        console.print(f"fixed: {escape(fixed.fingerprint)} {escape(fixed.title)}")
    for line in done.routed:
        console.print(f"routed: {escape(line)}")
    for f in done.findings:
        if f.proposed and f.proposed.diff:
            console.print(f"\n[bold]{escape(f.resource)}[/]: {escape(f.proposed.summary)}")
            console.print(escape(f.proposed.diff), highlight=False)
