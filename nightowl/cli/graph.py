"""``nightowl graph show|who-changed|refresh|forget``: the knowledge graph from the terminal.

``show`` draws a service between what depends on it and what it depends on, with its owners,
on-call, recent deploys and incidents; ``who-changed`` lists the deploys of a service and of its
dependencies in a window; ``refresh`` reads the connectors' current view into the graph once (the
server does it every ``graph.refresh_seconds``). Reading takes ``Act.READ_GRAPH``, refreshing
``Act.REFRESH_GRAPH``; ``forget`` removes a person (``Act.FORGET_PERSON``, admin).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, records_of, settings_from, user_errors
from nightowl.cli.deadletter import parse_age
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain.graph import ChangeRef, OwnerRef, ServiceCard

graph_app = typer.Typer(
    help="The knowledge graph: owners, dependencies, who changed what.", no_args_is_help=True
)
HopsOpt = Annotated[
    int | None, typer.Option(min=0, max=20, help="How many calls away to walk (default: all).")
]


@graph_app.command("show")
def show(
    service: Annotated[str, typer.Argument(help="The service.")],
    hops: HopsOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Owners, on-call, dependencies both ways, recent deploys and incidents of SERVICE."""
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        acting_as(records, Act.READ_GRAPH)
        card = records.service_card(service, hops)
    if as_json:
        typer.echo(card.model_dump_json(indent=2))
        return
    if not card.known:
        console.print(f"[yellow]the graph knows nothing about {service!r} yet[/] "
                      "(run `nightowl graph refresh`, or check the name)")  # fmt: skip
        return
    console.print(_diagram(card))
    console.print(f"owners: {_people(card.owners)}")
    console.print(f"on call: {_people(card.on_call)}")
    console.print(f"fan-in: {card.fan_in} service(s) depend on {service}")
    if card.changes:
        console.print(_changes(card.changes, f"Deploys of {service}"))
    if card.incidents:
        table = Table("incident", "status", "opened", "title", "Slack thread", title="Incidents")
        for i in card.incidents:
            opened = i.opened_at.isoformat(timespec="minutes") if i.opened_at else ""
            table.add_row(i.id, i.status, opened, i.title, i.slack_thread or "")
        console.print(table)


@graph_app.command("who-changed")
def who_changed(
    service: Annotated[str, typer.Argument(help="The service.")],
    since: Annotated[str, typer.Option(help="How far back: 30m, 2h, 1d.")] = "2h",
    hops: Annotated[
        int, typer.Option(min=0, max=20, help="Dependencies this many calls away count too.")
    ] = 1,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The deploys of SERVICE and of what it depends on in the last SINCE, newest first."""
    window = parse_age(since)
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        acting_as(records, Act.READ_GRAPH)
        changes = records.who_changed(service, window, hops)
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in changes], indent=2))
        return
    if not changes:
        console.print(f"no deploys of {service} or its dependencies in the last {since}")
        return
    console.print(_changes(changes, f"Who changed {service} (last {since})"))


@graph_app.command("refresh")
def refresh(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Read owners, dependencies and deploys from the config and every connector, once."""
    from nightowl.app import Nightowl  # builds the connectors

    with user_errors():
        settings = settings_from(config, data_dir)
        app = Nightowl(settings)
        try:
            acting_as(app.records, Act.REFRESH_GRAPH)
            with console.status("refreshing the knowledge graph from the connectors"):
                results = asyncio.run(app.refresh_graph())
        finally:
            app.store.close()
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in results], indent=2))
        return
    table = Table("source", "kind", "edges", "removed", "error", title="Graph refresh")
    for r in results:
        table.add_row(r.source, r.kind, str(r.edges), str(r.removed), r.error or "")
    console.print(table)
    if any(r.error for r in results):
        raise typer.Exit(1)


@graph_app.command("forget")
def forget(
    name: Annotated[str, typer.Argument(help="The person or team (login, address, org/team).")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Remove a person or team from the graph: their edges, and their name from the deploys and
    decisions that named them. Audited; takes the admin role."""
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        removed = records.forget_person(name, by=acting_as(records, Act.FORGET_PERSON))
    console.print(f"forgot {name}: {removed} edge(s) removed")
    console.print("[dim]a source that still names them (config, CODEOWNERS, annotations) "
                  "adds them back on the next refresh: remove them there too[/]")  # fmt: skip


def _diagram(card: ServiceCard) -> Tree:
    tree = Tree(f"[bold]{card.service}[/]")
    up = tree.add(f"[cyan]depended on by[/] ({len(card.dependents)})")
    for r in card.dependents:
        up.add(f"{r.service} [dim]({r.hops} hop{'s' if r.hops > 1 else ''})[/]")
    down = tree.add(f"[magenta]depends on[/] ({len(card.dependencies)})")
    for r in card.dependencies:
        down.add(f"{r.service} [dim]({r.hops} hop{'s' if r.hops > 1 else ''})[/]")
    return tree


def _people(found: Sequence[OwnerRef]) -> str:
    if not found:
        return "[yellow]nobody known[/]"
    return ", ".join(f"{o.name} [dim]({o.kind}; {', '.join(o.sources)})[/]" for o in found)


def _changes(changes: Sequence[ChangeRef], title: str) -> Table:
    table = Table("when", "service", "version", "who", "commit", "PR", "what", title=title)
    for c in changes:
        where = c.service if c.hops == 0 else f"{c.service} [dim](dep, {c.hops})[/]"
        table.add_row(
            c.at.isoformat(timespec="minutes"), where,
            f"{c.previous_version or '?'} → {c.version}", c.author or "",
            (c.commit or "")[:12], f"#{c.pr}" if c.pr else "", (c.summary or "")[:60],
        )  # fmt: skip
    return table
