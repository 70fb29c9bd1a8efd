"""``nightowl memory similar|feedback|forget``: incident memory from the command line.

``similar`` shows the past incidents like one (viewer); ``feedback`` confirms or corrects a
diagnosis or rates an action (responder); ``forget`` deletes one incident, one person's feedback,
or everything older than some days (admin). The CLI acts as ``$NIGHTOWL_TOKEN``'s holder, else the
operating-system user; writes are audited under that name. See docs/memory.md.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from nightowl.app.access import Act
from nightowl.app.memory import Forget
from nightowl.cli.common import acting_as, console, identity, records_of, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain.memory import Feedback, Verdict

memory_app = typer.Typer(
    help="Incident memory: similar incidents, feedback, forgetting.", no_args_is_help=True
)


@memory_app.command("similar")
def similar(
    incident_id: Annotated[str, typer.Argument(help="The incident to find the like of.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 10,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Past incidents like INCIDENT_ID, best first: its cause (a human's correction wins), what
    fixed it, and what people said."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            acting_as(records, Act.READ)
            matches = records.memory.similar(incident_id, limit=limit)
        if as_json:
            typer.echo(json.dumps([m.model_dump(mode="json") for m in matches], indent=2))
            return
        table = Table(title=f"{len(matches)} similar incident(s) to {incident_id}")
        for col in ("incident", "opened (UTC)", "cause", "fixed by", "feedback", "rank"):
            table.add_column(col)
        for m in matches:
            mem = m.memory
            cause = " on ".join(mem.cause) if mem.cause else "-"
            said = "; ".join(f"{f.author}: {f.verdict.value}" for f in mem.feedback) or "-"
            table.add_row(
                mem.incident_id,
                f"{mem.opened_at:%Y-%m-%d %H:%M}",
                cause,
                mem.fix or "-",
                said,
                f"{m.score:.3f}",
            )
        console.print(table)


@memory_app.command("feedback")
def feedback(
    incident_id: Annotated[str, typer.Argument(help="The incident judged.")],
    verdict: Annotated[Verdict, typer.Argument(help="confirm, correct or rate.")],
    kind: Annotated[str | None, typer.Option(help="correct: the true fault kind.")] = None,
    service: Annotated[str | None, typer.Option(help="correct: the true service.")] = None,
    action: Annotated[str | None, typer.Option(help="rate: the action kind.")] = None,
    helped: Annotated[
        bool | None, typer.Option("--helped/--did-not-help", help="rate: did it help.")
    ] = None,
    note: Annotated[str, typer.Option("--note", "-m", help="Why.")] = "",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm or correct INCIDENT_ID's diagnosis, or rate one of its actions; memory recalls
    the correction next time."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            me = identity(records.settings)  # the use case checks the role (a refusal audited)
            given = Feedback(
                incident_id=incident_id,
                author=me.name,
                at=records.clock.now(),
                verdict=verdict,
                kind=kind,
                service=service,
                action=action,
                helped=helped,
                note=note,
            )
            kept = records.memory.feedback(me, given)
        if as_json:
            typer.echo(kept.model_dump_json(indent=2))
        else:
            console.print(f"[green]{kept.verdict.value}[/] on {incident_id} by {kept.author}")


@memory_app.command("forget")
def forget(
    incident: Annotated[str | None, typer.Option(help="Forget this incident.")] = None,
    person: Annotated[str | None, typer.Option(help="Forget everything this person said.")] = None,
    older_than_days: Annotated[
        int | None, typer.Option(min=1, help="Forget incidents opened more than N days ago.")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete from incident memory: exactly one of --incident, --person, --older-than-days."""
    with user_errors():
        with records_of(config, data_dir, reading=True) as records:
            me = identity(records.settings)
            what = Forget(incident_id=incident, person=person, older_than_days=older_than_days)
            gone = records.memory.forget(me, what)
        if as_json:
            typer.echo(json.dumps({"deleted": gone}))
        else:
            console.print(f"forgot {gone} row(s)")
