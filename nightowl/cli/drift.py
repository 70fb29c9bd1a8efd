"""``nightowl drift check --plan PLAN.json --repo PATH [--json]``: IaC drift once, on files.

For CI and for trying it: the plan JSON CI produced (``terraform show -json``) and the checkout
holding the HCL. Runs the drift watcher exactly as a scheduled one (the findings tracked, the
decision per resource, the pull request put through the policy — dry run unless
``actions.dry_run`` is false — and audited), taking its rules from the configured drift watcher
named by ``--watcher`` when given. Prints the findings, the pull requests opened (or the dry run
of the ones that would be) and their diffs. Takes the responder role (``Act.RUN_WATCHER``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from nightowl.app.access import Act
from nightowl.cli.common import acting_as, console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.cli.watch import show_run
from nightowl.settings import OnFinding, WatcherConfig
from nightowl.watchers.build import config_of

drift_app = typer.Typer(help="Infrastructure changed outside its code.", no_args_is_help=True)


@drift_app.command("check")
def check(
    plan: Annotated[Path, typer.Option(help="Plan JSON (terraform show -json PLANFILE).")],
    repo: Annotated[Path, typer.Option(help="The checkout holding the HCL.")],
    watcher: Annotated[
        str | None, typer.Option(help="Take rules and routing from this configured watcher.")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find drift in a plan and propose its fix per resource (adopt: a pull request; revert:
    a plan to re-apply)."""
    from nightowl.app import Nightowl
    from nightowl.watchers.drift import DriftWatcher

    with user_errors():
        settings = settings_from(config, data_dir)
        base = config_of(settings, watcher) if watcher else None
        options = dict(base.options if base else {})
        options |= {"plan": str(plan), "repo": str(repo), "binary": None}
        entry = WatcherConfig(
            name=base.name if base else "drift",
            kind="drift",
            on_finding=base.on_finding if base else OnFinding.PULL_REQUEST,
            min_severity=base.min_severity if base else "info",
            service=base.service if base else "",
            options=options,
        )
        found = DriftWatcher.from_config(entry, settings)
        app = Nightowl(settings)
        try:
            by = acting_as(app.records, Act.RUN_WATCHER)
            with console.status("checking drift …"):
                done = asyncio.run(app.watching.run_config(entry, found, actor=by.name))
        finally:
            app.shutdown()
    if as_json:
        typer.echo(done.model_dump_json(indent=2))
    else:
        show_run(done)
    if done.error:
        raise typer.Exit(1)
