"""``nightowl policy test CASES.yaml``: run table-driven policy tests against the guardrails and the
Cedar rules, with the configured policy settings as the base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt
from nightowl.policy.cases import run_cases

policy_app = typer.Typer(help="Test the safety policy.", no_args_is_help=True)


@policy_app.command("test")
def cases_cmd(
    cases: Annotated[Path, typer.Argument(help="A YAML file of policy test cases.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Evaluate each case; exit 1 if any verdict or deciding rule differs from what it expects."""
    with user_errors():
        results = run_cases(cases, settings_from(config, data_dir).policy)
    table = Table(title=f"{len(results)} policy case(s)")
    for col in ("", "case", "expected", "got", "rules", "reasons"):
        table.add_column(col)
    for r in results:
        mark = "[green]✓[/]" if r.ok else "[red]✗[/]"
        table.add_row(
            mark, r.name, r.expected.value, r.got.value, ", ".join(r.rules), "; ".join(r.reasons)
        )
    console.print(table)
    failed = [r for r in results if not r.ok]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} case(s) failed[/]")
        raise typer.Exit(1)
