"""``nightowl bench nab``: score a detector on the Numenta Anomaly Benchmark.

Prints a one-line summary (leave-one-category-out first, then in-sample, onset error, speed),
the profiles beside the published scores, and a small per-category chart; ``--json`` prints the
same figures as one JSON document. ``--loo`` also chooses the detector's configuration among its
candidate family with the scored category left out (the thresholds always are).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.cli.options import JsonOpt
from nightowl.errors import InputError
from nightowl_lab.eval.nab.corpus import PROFILES, NabSeries, load_corpus
from nightowl_lab.eval.nab.detectors import DETECTORS, detector_for, family_of
from nightowl_lab.eval.nab.onsets import OnsetError
from nightowl_lab.eval.nab.runner import NabResult, run_benchmark

PUBLISHED = {"ARTime": "ARTime", "HTM": "numenta", "CAD-OSE": "contextOSE"}
BAR_WIDTH = 20
CATEGORY_BAR = 12
LABELS = {"standard": "standard", "reward_low_FP_rate": "low FP", "reward_low_FN_rate": "low FN"}


def _published(nab_dir: Path) -> dict[str, dict[str, float]]:
    """Published scores from ``results/final_results.json`` when the copy of NAB has them."""
    path = nab_dir / "results" / "final_results.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {label: raw[key] for label, key in PUBLISHED.items() if key in raw}
    except (OSError, ValueError, TypeError):
        return {}


def _bar(score: float | None, width: int = BAR_WIDTH) -> str:
    if score is None:
        return ""
    filled = max(0, min(width, round(score / 100 * width)))
    return "█" * filled + "·" * (width - filled)


def _hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f} h"


def _fraction(onset: OnsetError) -> str:
    return "—" if onset.median_fraction is None else f"{onset.median_fraction:.2f}"


def _triple(scores: dict[str, float]) -> str:
    return " / ".join(f"{scores[p]:.1f}" for p in PROFILES)


def summary_line(result: NabResult) -> str:
    """The one-line summary: LOO, in-sample, onset error, speed."""
    onset = result.onsets["loo"]
    in_sample = {p.profile: p.score for p in result.profiles}
    return (
        f"{result.detector}: leave-one-category-out {_triple(result.loo.scores)}, "
        f"in-sample {_triple(in_sample)} (standard / low FP / low FN) on "
        f"{len(result.series)} series; onset {_hours(onset.median_seconds)} median, "
        f"{_hours(onset.p90_seconds)} p90 after window start ({_fraction(onset)} of the window; "
        f"{onset.detected}/{onset.windows} windows); {result.points_per_second:,.0f} points/s ({result.points_per_cpu_second:,.0f}"
        " per CPU second)"
    )


def _profiles(console: Console, result: NabResult, published: dict[str, dict[str, float]]) -> None:
    table = Table(title=f"NAB: {result.detector} on {len(result.series)} series")
    for name in ("profile", "detector", "LOO", "", "in-sample", "threshold"):
        table.add_column(name, no_wrap=True, justify="left" if name in ("profile", "") else "right")
    for profile in result.profiles:
        label = LABELS.get(profile.profile, profile.profile)
        loo = result.loo.scores[profile.profile]
        table.add_row(
            label,
            result.detector,
            f"{loo:.1f}",
            _bar(loo),
            f"{profile.score:.1f}",
            f"{profile.threshold:.4f}",
            style="bold",
        )
        for name, scores in published.items():
            score = scores[profile.profile]
            table.add_row("", name, "", _bar(score), f"{score:.1f}", "", style="dim")
        table.add_section()
    console.print(table)
    if published:
        console.print("[dim]published: NAB's full 58 series, thresholds fitted in-sample[/dim]")


def _categories(console: Console, result: NabResult) -> None:
    """A small chart: each category's leave-one-out score (standard, normalised within it)."""
    table = Table(title="per category, standard profile (normalised within the category)")
    heads = ["category", "win", "LOO", "", "in-sample", "raw LOO"]
    heads += ["chosen"] if result.loo_family else []
    for name in heads:
        table.add_column(
            name, no_wrap=True, justify="left" if name in ("category", "") else "right"
        )
    for c in result.categories:
        row = [
            c.category,
            str(c.windows),
            "—" if c.loo_score is None else f"{c.loo_score:.1f}",
            _bar(c.loo_score, CATEGORY_BAR),
            "—" if c.score is None else f"{c.score:.1f}",
            f"{c.loo_raw:+.2f}",
        ]
        table.add_row(*row, *([c.candidate] if result.loo_family else []))
    console.print(table)


def _document(result: NabResult) -> dict[str, object]:
    def onset(o: OnsetError) -> dict[str, object]:
        return o.model_dump()

    document: dict[str, object] = {p: result.score(p) for p in PROFILES}
    document.update(
        detector=result.detector,
        series=len(result.series),
        loo=result.loo.scores,
        loo_family=result.loo_family,
        thresholds={p.profile: p.threshold for p in result.profiles},
        categories=[c.model_dump() for c in result.categories],
        folds=[f.model_dump() for f in result.loo.folds],
        onsets={k: onset(v) for k, v in result.onsets.items()},
        points=result.points,
        points_per_second=result.points_per_second,
        points_per_cpu_second=result.points_per_cpu_second,
    )
    return document


def command(
    nab_dir: Annotated[
        Path, typer.Option("--nab-dir", help="A copy of NAB: data/, labels/, config/.")
    ],
    detector: Annotated[
        str, typer.Option("--detector", help=f"One of: {', '.join(DETECTORS)}.")
    ] = "nightowl",
    loo: Annotated[
        bool,
        typer.Option("--loo", help="Also choose the detector's configuration leave-one-out."),
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Score a detector on every labelled series under NAB_DIR/data (NAB v1.1 scoring)."""
    err = Console(stderr=True)
    try:
        detector_for(detector)  # fail on a bad name before reading anything
        corpus = load_corpus(nab_dir)
        runs = 1 + (len(family_of(detector)) if loo else 0)
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=json_output,
        ) as progress:
            task = progress.add_task(f"{detector}: scoring", total=runs * len(corpus.series))

            def advance(series: NabSeries) -> None:
                progress.update(task, advance=1, description=f"{detector}: {series.name}")

            result = run_benchmark(corpus, detector, advance, family=loo)
    except InputError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from None
    if json_output:
        typer.echo(json.dumps(_document(result)))
        return
    console = Console()
    console.print(summary_line(result))
    _profiles(console, result, _published(nab_dir))
    _categories(console, result)
