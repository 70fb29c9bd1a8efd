"""``nightowl bench ingest``: alerts per second through the real webhook, beside Alertmanager."""

from __future__ import annotations

import asyncio
import json
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
from nightowl_lab.eval.ingest import IngestBenchResult, run


def command(
    alerts_50: Annotated[
        int, typer.Option("--alerts-50", min=50, help="Alerts sent in groups of 50.")
    ] = 60_000,
    alerts_1: Annotated[
        int, typer.Option("--alerts-1", min=1, help="Alerts sent one per request.")
    ] = 6_000,
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="Requests in flight.")] = 32,
    as_json: JsonOpt = False,
) -> None:
    """Drive nightowl's webhook over HTTP on loopback, then a real Alertmanager with the same alerts.

    Prints alerts/s, requests/s, latency percentiles, alerts lost (read back from the store) and
    duplicates detected. The server uses a temporary SQLite data dir.
    """
    with user_errors():
        tasks: dict[str, TaskID] = {}
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=as_json,
        ) as bar:

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total)
                bar.update(tasks[label], completed=done)

            result = asyncio.run(run(alerts_50, alerts_1, concurrency, progress))
        if as_json:
            keys = (
                "alerts_per_second",
                "requests_per_second",
                "p50_ms",
                "p99_ms",
                "lost",
                "duplicates_detected",
                "alertmanager_alerts_per_second",
            )
            data = result.model_dump(mode="json")
            typer.echo(
                json.dumps(
                    {k: data[k] for k in keys}
                    | {"details": {k: v for k, v in data.items() if k not in keys}},
                    indent=2,
                )
            )
            return
        _show(result)


def _show(result: IngestBenchResult) -> None:
    table = Table(title="nightowl bench ingest")
    for col in ("server", "group size", "alerts/s", "requests/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(col, justify="right")
    for name, phases in (("nightowl", result.phases), ("Alertmanager", result.alertmanager_phases)):
        for p in phases:
            table.add_row(
                name,
                str(p.group_size),
                f"{p.alerts_per_second:,.0f}",
                f"{p.requests_per_second:,.0f}",
                f"{p.p50_ms:.1f}",
                f"{p.p99_ms:.1f}",
                str(p.errors),
            )
    console.print(table)
    am = result.alertmanager_alerts_per_second
    width = 40
    top = max(result.alerts_per_second, am or 0.0) or 1.0
    console.print(
        f"nightowl     {'█' * int(width * result.alerts_per_second / top):<{width}} {result.alerts_per_second:,.0f} alerts/s"
    )
    if am is not None:
        console.print(f"Alertmanager {'█' * int(width * am / top):<{width}} {am:,.0f} alerts/s")
        console.print(f"ratio: {result.alerts_per_second / am:.2f} of Alertmanager's rate")
    else:
        console.print(f"[yellow]Alertmanager not measured:[/] {result.alertmanager_message}")
    colour = "green" if result.lost == 0 else "red"
    console.print(
        f"[{colour}]lost: {result.lost}[/]; duplicates sent {result.duplicates_sent}, detected {result.duplicates_detected}"
    )
