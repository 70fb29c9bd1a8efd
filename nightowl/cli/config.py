"""``nightowl config check``: validate everything an incident will later need, and with ``--live``
reach every configured connector and notifier.

Loading the settings checks each section (cron expressions, freeze windows, duplicate keys, hash
formats, URLs, durations); building the application checks what sections refer to (routes to
notifiers and drivers, runbooks, Cedar files, each integration's own options). ``--live`` then
runs each connector's health check and reaches each notifier's endpoint without sending a message.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from nightowl.cli.check import results_table
from nightowl.cli.common import console, probing, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.connectors.health import CheckResult, check_all

if TYPE_CHECKING:
    from nightowl.app import Nightowl

config_app = typer.Typer(help="Inspect and validate configuration.", no_args_is_help=True)

LiveOpt = Annotated[
    bool,
    typer.Option(
        "--live",
        help="Also reach every connector and notifier (nothing is sent); exit 1 if any fails.",
    ),
]


@config_app.command("check")
def config_check(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
    live: LiveOpt = False,
) -> None:
    """Validate the configuration; name the file, key and reason of anything wrong (exit 2)."""
    from nightowl.app import Nightowl  # building the integrations validates their own config

    with user_errors():
        settings = settings_from(config, data_dir)
        with probing(settings) as (probed, missing):
            app = Nightowl(probed)
            try:
                results = asyncio.run(reach(app)) if live else []
            finally:
                app.shutdown()
    ok = all(r.ok for r in results)
    if as_json:
        body: dict[str, object] = {
            "ok": ok,
            "data_dir": str(settings.data_dir),
            "store_exists": missing is None,
        }
        if live:
            body["checks"] = [r.model_dump() for r in results]
        typer.echo(json.dumps(body))
    else:
        console.print(
            f"[green]configuration OK[/] (data dir: {escape(str(settings.data_dir))}, "
            f"store: {escape(settings.store_url)})"
        )
        if missing is not None:
            console.print(f"no store at {escape(str(missing))} yet: `nightowl serve` creates it")
        if live:
            console.print(results_table(results, "check(s)"))
    if not ok:
        raise typer.Exit(1)


async def reach(app: Nightowl) -> list[CheckResult]:
    """Each connector's health check and each notifier's reachability, concurrently."""
    from nightowl.notify.routing import unwrap

    timeout = app.settings.gather.call_timeout_seconds
    kinds = {c.name: c.kind for c in app.settings.notify.notifiers}
    notifiers = [(f"notifier {kinds.get(n.name, 'file')}", n) for n in unwrap(app.notifiers)]
    return await check_all([*app.connectors, *notifiers], timeout)
