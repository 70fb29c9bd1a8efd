"""``nightowl check connectors``: reach every configured backend and run one sample query."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.table import Table
from rich.text import Text

from nightowl.cli.common import console, probing, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.connectors.health import CheckResult, check_all

check_app = typer.Typer(
    help="Check that nightowl can use what it is configured with.", no_args_is_help=True
)


@check_app.command("connectors")
def connectors(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Health-check each connector (one sample query each); exit 1 when any fails."""
    from nightowl.app import Nightowl

    with user_errors():
        settings = settings_from(config, data_dir)
        with probing(settings) as (probed, _):
            app = Nightowl(probed)
            try:
                timeout = settings.gather.call_timeout_seconds
                results = asyncio.run(check_all(app.connectors, timeout))
            finally:
                app.store.close()
    if as_json:
        typer.echo(json.dumps({"connectors": [r.model_dump() for r in results]}, indent=2))
    else:
        console.print(results_table(results, "connector(s)"))
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def results_table(results: list[CheckResult], what: str) -> Table:
    """One row per check; an error's text is shown as is (no Rich markup: ``pip install
    'nightowl[kubernetes]'`` keeps its brackets)."""
    failed = sum(not r.ok for r in results)
    table = Table(title=f"{len(results)} {what}, {failed} failing")
    for column in ("name", "kind", "status", "latency", "error"):
        table.add_column(column)
    for r in results:
        status = Text("ok", style="green") if r.ok else Text("failed", style="red")
        table.add_row(
            Text(r.name), Text(r.kind), status, f"{r.latency_ms:.0f} ms", Text(r.error or "")
        )
    return table
