"""``nightowl bench fuzz``: hostile and generated requests against a real ``nightowl serve``."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nightowl.cli.common import console, user_errors
from nightowl.cli.options import JsonOpt
from nightowl_lab.eval.fuzz import FuzzResult, run

FIGURE = ("requests", "answered_4xx", "answered_5xx", "dead_lettered", "crashes", "max_rss_mib")


def command(
    per_target: Annotated[
        int,
        typer.Option(
            "--per-target",
            min=0,
            max=100_000,
            help="Generated payloads per webhook source and per API body (the fixed hostile "
            "cases are always sent).",
        ),
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the generated payloads.")] = 18,
    timeout: Annotated[
        float, typer.Option(min=1, max=600, help="Seconds a request may take (else: timeout).")
    ] = 20.0,
    as_json: JsonOpt = False,
) -> None:
    """Send every webhook source and the deploys and silences API the hostile cases of issue 18
    (1,000-deep JSON, lone surrogates, NaN/1e20 times, NUL bytes, huge fields, no token) and
    hypothesis-generated payloads around each documented schema, one at a time, to a real
    ``nightowl serve`` on loopback (temporary data dir). Prints requests, answers by class, dead
    letters, crashes and the server's peak RSS; the target is 0 × 5xx and 0 crashes."""
    with (
        user_errors(),
        Progress(
            TextColumn("fuzzing nightowl serve"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=as_json,
        ) as bar,
    ):
        task = bar.add_task("fuzz", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = asyncio.run(run(per_target, seed, progress, timeout=timeout))
    if as_json:
        data = result.model_dump(mode="json")
        figure = {k: data[k] for k in FIGURE}
        details = {k: v for k, v in data.items() if k not in FIGURE}
        typer.echo(json.dumps(figure | {"details": details}, indent=2))
        return
    _show(result)


def _show(result: FuzzResult) -> None:
    for label in result.five_xx:
        console.print(f"[red]5xx[/] {label}")
    for label in result.crashed_on:
        console.print(f"[bold red]crash[/] {label}")
    for label in result.timed_out:
        console.print(f"[yellow]timeout[/] {label}")
    good = result.answered_5xx == 0 and result.crashes == 0
    colour = "green" if good else "red"
    console.print(
        f"[{colour}]{result.requests:,} requests: {result.answered_2xx:,} 2xx, "
        f"{result.answered_4xx:,} 4xx, {result.answered_5xx:,} 5xx, {result.timeouts} timeouts, "
        f"{result.crashes} crashes; {result.dead_lettered:,} dead letters; "
        f"peak RSS {result.max_rss_mib:,.0f} MiB; {result.seconds:,.0f} s[/]"
    )
