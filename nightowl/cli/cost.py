"""``nightowl cost diff --plan PLAN.json [--pr N] [--json]``: the monthly cost delta of a plan.

Priced by Infracost when ``cost.infracost`` names its binary (``infracost diff --format json``),
or from a saved Infracost output (``--infracost FILE``), else by the ``cost:`` price table
(instance and machine types, volumes, load balancers, node pools). Per resource and in total;
what nothing priced is listed, never guessed. Reads only: no role beyond the settings is needed
— except with ``--pr N``, which reviews that pull request: the cost as a comment on it, put
through the policy like any write (``watchers/cost_review.py``; the responder role).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain.cost import CostDiff
from nightowl.domain.units import money
from nightowl.errors import InputError
from nightowl.settings import OnFinding, Settings, WatcherConfig

cost_app = typer.Typer(help="The cost of a change.", no_args_is_help=True)


@cost_app.command("diff")
def diff(
    plan: Annotated[Path, typer.Option(help="Plan JSON (terraform show -json PLANFILE).")],
    infracost: Annotated[
        Path | None, typer.Option(help="A saved `infracost diff --format json` output.")
    ] = None,
    pr: Annotated[
        int | None,
        typer.Option(min=1, help="Review this pull request: comment the cost on it (the gate)."),
    ] = None,
    service: Annotated[
        str, typer.Option(help="With --pr: the service the comment is routed as.")
    ] = "infra",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The monthly cost delta of a plan, per resource and in total; with ``--pr``, reviewed on
    that pull request as a comment through the policy (dry run unless actions.dry_run is false)."""
    from nightowl.watchers import infracost as infracost_json
    from nightowl.watchers.cost_review import price

    with user_errors():
        settings = settings_from(config, data_dir)
        if pr is not None:
            _review(settings, plan, infracost, pr, service, as_json)
            return
        priced = price(plan, infracost, settings)
        if priced is None:
            assert settings.cost.infracost
            priced = asyncio.run(infracost_json.run(settings.cost.infracost, plan))
    if as_json:
        typer.echo(_json(priced))
        return
    show(priced)


def _review(
    settings: Settings, plan: Path, saved: Path | None, pr: int, service: str, as_json: bool
) -> None:
    """Price the plan and put its comment on pull request ``pr`` through the gate (watcher
    ``cost-pr-<N>``: each pull request its own view). Takes the responder role."""
    from nightowl.app import Nightowl
    from nightowl.cli.watch import show_run
    from nightowl.watchers.cost_review import CostReviewWatcher

    options = {"plan": str(plan), "pr": pr} | ({"infracost": str(saved)} if saved else {})
    entry = WatcherConfig(
        name=f"cost-pr-{pr}",
        kind="cost_review",
        on_finding=OnFinding.PULL_REQUEST,
        min_severity="info",
        service=service,
        options=options,
    )
    watcher = CostReviewWatcher.from_config(entry, settings)
    app = Nightowl(settings)
    try:
        by = acting_as(app.records, Act.RUN_WATCHER)
        with console.status(f"pricing pull request #{pr} …"):
            done = asyncio.run(app.watching.run_config(entry, watcher, actor=by.name))
    finally:
        app.shutdown()
    if as_json:
        typer.echo(done.model_dump_json(indent=2))
    else:
        show_run(done)
    if done.error:
        raise typer.Exit(1)


@cost_app.command("runtime")
def runtime(
    window: Annotated[str, typer.Option(help="OpenCost window: 24h, 7d, lastweek…")] = "7d",
    aggregate: Annotated[str, typer.Option(help="namespace, controller, label:app…")] = "namespace",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What runs costs now, per month, from the configured OpenCost (``kind: opencost``)."""
    import json

    from nightowl.connectors.opencost import OpenCost

    with user_errors():
        settings = settings_from(config, data_dir)
        entry = next((c for c in settings.connectors if c.kind == "opencost"), None)
        if entry is None:
            raise InputError("no OpenCost is configured: add a connectors entry of kind opencost")
        source = OpenCost.from_plugin(entry, settings)
        found = asyncio.run(source.allocations(window=window, aggregate=aggregate))
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in found], indent=2))
        return
    table = Table(title=f"runtime cost by {escape(aggregate)} over {escape(window)}")
    for col in (aggregate, "window total", "per month"):
        table.add_column(col)
    for a in found:
        table.add_row(escape(a.name), f"{a.total:,.2f}", f"{a.monthly:,.2f}")
    console.print(table)


def _json(priced: CostDiff) -> str:
    import json

    return json.dumps(priced.model_dump(mode="json") | {"total": priced.total}, indent=2)


def show(priced: CostDiff) -> None:
    table = Table(
        title=f"monthly cost delta ({priced.source}): {money(priced.total, priced.currency)}"
    )
    for col in ("resource", "before", "after", "delta", "priced by"):
        table.add_column(col)
    for r in priced.resources:
        before = "-" if r.before is None else f"{priced.currency}{r.before:,.2f}"
        after = "-" if r.after is None else f"{priced.currency}{r.after:,.2f}"
        cells = (r.address, before, after, money(r.delta, priced.currency), r.priced_by)
        table.add_row(*(escape(c) for c in cells))
    console.print(table)
    if priced.unpriced:
        console.print("not priced: " + escape(", ".join(priced.unpriced)))
