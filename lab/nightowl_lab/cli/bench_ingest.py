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
from nightowl.errors import ConfigError, InputError
from nightowl_lab.eval.ingest import IngestBenchResult, run
from nightowl_lab.eval.ingest_cluster import Store
from nightowl_lab.eval.ingest_load import Shape
from nightowl_lab.harness.postgres import PostgresError

MAX_REPLICAS = 16


def replica_counts(text: str, store: Store) -> list[int]:
    """``--replicas``: one count or a comma-separated curve (``1,2,4``); InputError if invalid."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise InputError(
            f"--replicas {text!r}: give a number of processes, or several as 1,2,4"
        ) from None
    if not counts or any(not 1 <= n <= MAX_REPLICAS for n in counts):
        raise InputError(f"--replicas {text!r}: each count must be between 1 and {MAX_REPLICAS}")
    if store is Store.SQLITE and counts != [1]:
        raise InputError(
            "--replicas above 1 needs --store postgres (SQLite takes one writer at a time)"
        )
    return counts


def command(
    alerts_50: Annotated[
        int, typer.Option("--alerts-50", min=50, help="Alerts sent in groups of 50.")
    ] = 60_000,
    alerts_1: Annotated[
        int, typer.Option("--alerts-1", min=1, help="Alerts sent one per request.")
    ] = 6_000,
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="Requests in flight.")] = 32,
    store: Annotated[
        Store,
        typer.Option(help="sqlite: one process; postgres: replicas on a private PostgreSQL."),
    ] = Store.SQLITE,
    replicas: Annotated[
        str,
        typer.Option(
            help="nightowl processes sharing the load (--store postgres), or a curve: 1,2,4.",
        ),
    ] = "1",
    shape: Annotated[
        Shape,
        typer.Option(
            help="Notifications of 50: grouped (one group each, as Alertmanager sends) or mixed "
            "(~50 groups each, the bench's first shape, to compare with its earlier figures).",
        ),
    ] = Shape.GROUPED,
    as_json: JsonOpt = False,
) -> None:
    """Drive nightowl's webhook over HTTP on loopback, then a real Alertmanager with the same alerts.

    Prints alerts/s, requests/s, latency percentiles, alerts lost (read back from the store) and
    duplicates detected. The server uses a temporary SQLite data dir; with ``--store postgres``,
    ``--replicas`` processes share one database of a private PostgreSQL server and the load is
    spread over them (one run per replica count, each on a fresh database). ``--shape`` says how
    the alerts sent in groups of 50 are cut into notifications.
    """
    with user_errors():
        counts = replica_counts(replicas, store)
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

            try:
                result = asyncio.run(
                    run(
                        alerts_50,
                        alerts_1,
                        concurrency,
                        progress,
                        store=store,
                        replicas=counts,
                        shape=shape,
                    )
                )
            except PostgresError as exc:
                raise ConfigError(str(exc)) from None
        if as_json:
            keys = (
                "alerts_per_second",
                "requests_per_second",
                "p50_ms",
                "p99_ms",
                "lost",
                "duplicates_detected",
                "alertmanager_alerts_per_second",
                "store",
                "replicas",
                "shape",
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
    table = Table(title=f"nightowl bench ingest ({result.shape} notifications of 50)")
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
    if len(result.runs) > 1:
        _curve(result)
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


def _curve(result: IngestBenchResult) -> None:
    """The scaling curve: alerts/s in groups of 50, and single-alert p99, per replica count."""
    batch = {r.replicas: r.phases[0] for r in result.runs}
    single = {r.replicas: r.phases[-1] for r in result.runs}
    am = result.alertmanager_phases[0].alerts_per_second if result.alertmanager_phases else 0.0
    top = max([p.alerts_per_second for p in batch.values()] + [am]) or 1.0
    width = 40
    console.print(f"scaling on {result.store}: groups of 50, alerts/s (| = ½ Alertmanager)")
    half = int(width * am / 2 / top) if am else None
    for count, phase in batch.items():
        bar = list(f"{'█' * int(width * phase.alerts_per_second / top):<{width}}")
        if half is not None and half < width:
            bar[half] = "|" if bar[half] == " " else "┃"
        console.print(
            f"  ×{count:<2} {''.join(bar)} {phase.alerts_per_second:>9,.0f}"
            f"   single p99 {single[count].p99_ms:,.1f} ms"
        )
