"""``nightowl bench ha``: a cluster of replicas on PostgreSQL under HA duplicates and SIGKILLs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from nightowl.cli.common import console, user_errors
from nightowl.cli.options import JsonOpt
from nightowl_lab.eval.ha import HaBenchResult, run

KEYS = (
    "sent",
    "acknowledged",
    "stored",
    "lost",
    "duplicate_actions",
    "incidents_completed",
    "recovered_workflows",
    "seconds",
)


def command(
    waves: Annotated[
        int, typer.Option(min=2, max=50, help="Waves of alerts: one incident each.")
    ] = 6,
    per_wave: Annotated[
        int, typer.Option("--per-wave", min=1, max=500, help="Alerts in each wave.")
    ] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Start PostgreSQL, 2 API replicas and 2 workers (real `nightowl serve` processes), send every
    alert to both replicas, SIGKILL one replica and one worker halfway and restart them, then read
    back what was lost, acted on twice, completed and recovered.
    """
    with user_errors():
        tasks: dict[str, TaskID] = {}
        with (
            tempfile.TemporaryDirectory(prefix="nightowl-bench-ha-") as base,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=as_json,
            ) as bar,
        ):

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total)
                bar.update(tasks[label], completed=done, total=total)

            result = run(Path(base), waves, per_wave, progress)
        if as_json:
            data = result.model_dump(mode="json")
            details = {k: v for k, v in data.items() if k not in KEYS}
            typer.echo(json.dumps({k: data[k] for k in KEYS} | {"details": details}, indent=2))
            return
        _show(result)


def _show(result: HaBenchResult) -> None:
    table = Table(title="nightowl bench ha (2 API replicas, 2 workers, PostgreSQL)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in result.model_dump().items():
        table.add_row(key, str(value))
    console.print(table)
    ok = result.lost == 0 and result.duplicate_actions == 0
    ok = ok and result.incidents_completed == result.incidents
    console.print("[green]held[/]" if ok else "[red]did not hold[/]")
