"""``nightowl cost diff --plan PLAN.json [--json]``: the monthly cost delta of a plan.

Priced by Infracost when ``cost.infracost`` names its binary (``infracost diff --format json``),
or from a saved Infracost output (``--infracost FILE``), else by the ``cost:`` price table
(instance and machine types, volumes, load balancers, node pools). Per resource and in total;
what nothing priced is listed, never guessed. Reads only: no role beyond the settings is needed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain.cost import CostDiff
from nightowl.domain.units import money
from nightowl.errors import InputError

cost_app = typer.Typer(help="The cost of a change.", no_args_is_help=True)


@cost_app.command("diff")
def diff(
    plan: Annotated[Path, typer.Option(help="Plan JSON (terraform show -json PLANFILE).")],
    infracost: Annotated[
        Path | None, typer.Option(help="A saved `infracost diff --format json` output.")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The monthly cost delta of a plan, per resource and in total."""
    from nightowl.watchers import infracost as infracost_json
    from nightowl.watchers.pricing import PriceTable
    from nightowl.watchers.terraform import read_plan

    with user_errors():
        settings = settings_from(config, data_dir)
        if infracost is not None:
            try:
                priced = infracost_json.parse(infracost.read_bytes())
            except OSError as exc:
                raise InputError(f"cannot read {infracost}: {exc.strerror}") from None
        elif settings.cost.infracost:
            priced = asyncio.run(infracost_json.run(settings.cost.infracost, plan))
        else:
            priced = PriceTable(settings.cost).plan(read_plan(plan, "cost"))
    if as_json:
        typer.echo(_json(priced))
        return
    show(priced)


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
