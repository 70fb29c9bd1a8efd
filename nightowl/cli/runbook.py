"""``nightowl runbook lint FILE…``, ``nightowl runbook plan NAME --incident ID`` (a dry run), and
``nightowl runbook draft INCIDENT_ID [--propose]`` (a runbook from what fixed an incident)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.cli.common import console, err_console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.errors import ConfigError
from nightowl.registry import DRIVERS, resolve
from nightowl.runbooks.catalog import BUILTIN_DIR, load_runbook
from nightowl.runbooks.lint import lint_files
from nightowl.runbooks.model import Runbook

runbook_app = typer.Typer(
    help="Check runbooks and preview what they would do.", no_args_is_help=True
)


def known_kinds() -> set[str]:
    """Every action kind some driver performs (drivers whose SDK is missing are skipped)."""
    kinds: set[str] = set()
    for kind in DRIVERS:
        try:
            kinds |= set(resolve(DRIVERS, kind, "action driver").kinds)
        except ConfigError:
            continue
    return kinds


@runbook_app.command("lint")
def lint_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Runbook files or directories (default: runbooks.paths and built-ins)."
        ),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Validate runbooks: schema, known actions and facts, conditions, patterns, rollback."""
    if not paths:
        with user_errors():
            paths = [*settings_from(config, data_dir).runbooks.paths, BUILTIN_DIR]
    files = [
        f
        for p in paths
        for f in (sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p])
    ]
    loaded: list[tuple[str, Runbook | ConfigError]] = []
    for f in files:
        try:
            loaded.append((str(f), load_runbook(f)))
        except ConfigError as exc:
            loaded.append((str(f), exc))
    problems = lint_files(loaded, known_kinds())
    for line in problems:
        err_console.print(f"[red]✗[/] {line}")
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]✓[/] {len(files)} runbook(s) OK")


@runbook_app.command("plan")
def plan_cmd(
    name: Annotated[str, typer.Argument(help="The runbook's name.")],
    incident: Annotated[
        str,
        typer.Option("--incident", help="The incident to plan it for (its id or the start of it)."),
    ],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Preview a runbook on an incident: each step, the driver's dry run, blast radius, and the
    policy's decision. Nothing is written."""
    from nightowl.app import Nightowl

    with user_errors():
        app = Nightowl(settings_from(config, data_dir))
        try:
            table = asyncio.run(_preview(app, name, incident))
        finally:
            app.store.close()
        console.print(table)


async def _preview(app: object, name: str, incident_id: str) -> Table:
    from nightowl.app import Nightowl
    from nightowl.app.proposals import propose

    assert isinstance(app, Nightowl)
    incident_id = app.records.incident_id(incident_id)  # a person may type only its start
    proposal = await propose(app, incident_id, name)
    table = Table(title=f"runbook {name} on {incident_id} (dry run: nothing is written)")
    for col in ("step", "action", "would do", "blast radius", "policy"):
        table.add_column(col)
    for n, step in enumerate(proposal.steps):
        action, decision = step.action, step.decision
        table.add_row(
            str(n + 1),
            escape(action.describe()),
            escape(step.would_do),
            escape(step.blast_radius or "-"),
            f"{decision.verdict.value}: {'; '.join(decision.reasons)}",
        )
    return table


@runbook_app.command("draft")
def draft_cmd(
    incident_id: Annotated[str, typer.Argument(help="The incident whose fix to draft from.")],
    propose: Annotated[
        bool,
        typer.Option(
            "--propose",
            help="Ask the policy and the GitHub driver to open a pull request (dry run unless "
            "actions.dry_run is off). Audited.",
        ),
    ] = False,
    directory: Annotated[
        str, typer.Option("--dir", help="The runbooks directory in the repository.")
    ] = "runbooks",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft a runbook from what fixed INCIDENT_ID (and earlier incidents fixed the same way):
    print its YAML and the lint result; --propose proposes it as a pull request. With an LLM
    configured (llm.provider), its description gets the agent's prose."""
    from nightowl.app import Nightowl
    from nightowl.app.access import Act
    from nightowl.app.drafts import described, draft_for, propose_draft
    from nightowl.cli.common import acting_as

    with user_errors():
        app = Nightowl(settings_from(config, data_dir))
        try:
            by = acting_as(app.records, Act.PROPOSE_RUNBOOK if propose else Act.READ)
            incident_id = app.records.incident_id(incident_id)
            drafted = asyncio.run(described(app, draft_for(app, incident_id, known_kinds()),
                                            incident_id))  # fmt: skip
            proposed = (
                asyncio.run(propose_draft(app, drafted, incident_id, by=by, directory=directory))
                if propose
                else None
            )
        finally:
            app.store.close()
    if as_json:
        out = proposed.model_dump(mode="json") if proposed else drafted.model_dump(mode="json")
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(drafted.text, nl=False)
    for line in drafted.problems:
        err_console.print(f"[red]✗[/] lint: {escape(line)}")
    for name in drafted.held_by:
        err_console.print(f"[yellow]![/] runbook {escape(name)} already holds this fix")
    if not drafted.problems:
        console.print(f"[green]✓[/] lint OK; drafted from {', '.join(drafted.sources)}")
    if proposed is not None:
        decision = proposed.decision
        console.print(f"policy: {decision.verdict.value}: {escape('; '.join(decision.reasons))}")
        state = "written" if proposed.written else "dry run, nothing written"
        console.print(f"{state}: {escape(proposed.outcome)}")
        typer.echo(proposed.diff, nl=False)
