"""``nightowl bench nab``: score a detector on the Numenta Anomaly Benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.errors import InputError
from nightowl_lab.eval.nab.corpus import PROFILES, NabSeries, load_corpus
from nightowl_lab.eval.nab.runner import DETECTORS, NabResult, detector_for, run_benchmark

PUBLISHED = {"ARTime": "ARTime", "HTM": "numenta", "CAD-OSE": "contextOSE"}
BAR_WIDTH = 20
LABELS = {"standard": "standard", "reward_low_FP_rate": "low FP", "reward_low_FN_rate": "low FN"}


def _published(nab_dir: Path) -> dict[str, dict[str, float]]:
    """Published scores from ``results/final_results.json`` when the copy of NAB has them."""
    path = nab_dir / "results" / "final_results.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {label: raw[key] for label, key in PUBLISHED.items() if key in raw}
    except (OSError, ValueError, TypeError):
        return {}


def _bar(score: float) -> str:
    filled = max(0, min(BAR_WIDTH, round(score / 100 * BAR_WIDTH)))
    return "█" * filled + "·" * (BAR_WIDTH - filled)


def _summary(console: Console, result: NabResult, published: dict[str, dict[str, float]]) -> None:
    table = Table(title=f"NAB scores: {result.detector} on {len(result.series)} series")
    table.add_column("profile", no_wrap=True)
    table.add_column("detector", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True, min_width=5)
    table.add_column("", no_wrap=True)
    table.add_column("threshold", justify="right", no_wrap=True)
    for profile in result.profiles:
        rows = [(result.detector, profile.score, f"{profile.threshold:.4f}")]
        rows += [(label, scores[profile.profile], "") for label, scores in published.items()]
        for i, (label, score, threshold) in enumerate(rows):
            style = "bold" if i == 0 else "dim"
            name = LABELS.get(profile.profile, profile.profile) if i == 0 else ""
            table.add_row(name, label, f"{score:.1f}", _bar(score), threshold, style=style)
        table.add_section()
    console.print(table)
    if published:
        console.print("[dim]published scores are over NAB's full 58-series corpus[/dim]")
    console.print(f"{result.points:,} points at {result.points_per_second:,.0f} points/second")


def command(
    nab_dir: Annotated[
        Path, typer.Option("--nab-dir", help="A copy of NAB: data/, labels/, config/.")
    ],
    detector: Annotated[
        str, typer.Option("--detector", help=f"One of: {', '.join(DETECTORS)}.")
    ] = "nightowl",
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Score a detector on every labelled series under NAB_DIR/data (NAB v1.1 scoring)."""
    err = Console(stderr=True)
    try:
        detector_for(detector)  # fail on a bad name before reading anything
        corpus = load_corpus(nab_dir)
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=json_output,
        ) as progress:
            task = progress.add_task(f"{detector}: scoring series", total=len(corpus.series))

            def advance(series: NabSeries) -> None:
                progress.update(task, advance=1, description=f"{detector}: {series.name}")

            result = run_benchmark(corpus, detector, advance)
    except InputError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    if json_output:
        document: dict[str, object] = {p: result.score(p) for p in PROFILES}
        document["series"] = len(result.series)
        document["points_per_second"] = result.points_per_second
        document["detector"] = result.detector
        document["thresholds"] = {p.profile: p.threshold for p in result.profiles}
        typer.echo(json.dumps(document))
        return
    _summary(Console(), result, _published(nab_dir))
