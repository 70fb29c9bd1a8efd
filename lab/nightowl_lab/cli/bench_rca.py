"""``nightowl bench rca``: score the root-cause ranking on Nezha or PetShop (AC@1, AC@3, Avg@5)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.cli.options import JsonOpt
from nightowl.errors import InputError
from nightowl_lab.eval.rca.loo import VARIANTS, leave_one_out
from nightowl_lab.eval.rca.nezha import NezhaDataset
from nightowl_lab.eval.rca.petshop import PetShopDataset
from nightowl_lab.eval.rca.runner import CaseResult, Dataset, RcaResult, run_benchmark

BAR_WIDTH = 8


class Loo(StrEnum):
    GROUP = "group"
    KIND = "kind"
    METRIC = "metric"


class Format(StrEnum):
    """The RCA datasets ``bench rca`` can read: Nezha's and PetShop's layouts."""

    NEZHA = "nezha"
    PETSHOP = "petshop"


def _dataset(fmt: Format, data: Path, patterns: bool = True) -> Dataset:
    if not data.is_dir():
        raise InputError(f"{data}: no such directory; expected the {fmt.value} dataset folder")
    if fmt is Format.NEZHA:
        return NezhaDataset(data, patterns=patterns)
    return PetShopDataset(data)


def _bar(share: float) -> str:
    filled = max(0, min(BAR_WIDTH, round(share * BAR_WIDTH)))
    return "█" * filled + "·" * (BAR_WIDTH - filled)


def _summary(console: Console, result: RcaResult, fmt: Format) -> None:
    table = Table(title=f"Root-cause ranking on {fmt.value}: {len(result.results)} cases")
    table.add_column("group", no_wrap=True, overflow="ellipsis", max_width=20)
    table.add_column("cases", justify="right", no_wrap=True, min_width=5)
    table.add_column("AC@1", justify="right", no_wrap=True, min_width=5)
    table.add_column("", no_wrap=True, min_width=BAR_WIDTH)
    table.add_column("AC@3", justify="right", no_wrap=True, min_width=5)
    table.add_column("", no_wrap=True, min_width=BAR_WIDTH)
    table.add_column("Avg@5", justify="right", no_wrap=True, min_width=5)
    table.add_column("spec.", justify="right", no_wrap=True, min_width=5)
    rows = [(g, result.scorecard(g), "") for g in result.groups]
    for group in result.groups:
        rows += [(f"  {group}/{k}", result.scorecard(group, k), "dim") for k in result.kinds(group)]
    rows.sort(key=lambda r: r[0].strip())
    rows.append(("overall", result.scorecard(), "bold"))
    for name, card, style in rows:
        table.add_row(
            name,
            str(card.cases),
            f"{card.ac[0]:.3f}",
            _bar(card.ac[0]),
            f"{card.ac[2]:.3f}",
            _bar(card.ac[2]),
            f"{card.avg5:.3f}",
            "—" if card.specificity is None else f"{card.specificity:.3f}",
            style=style,
        )
    console.print(table)
    overall = result.scorecard()
    median, worst = result.rank_seconds()
    spec = "—" if overall.specificity is None else f"{overall.specificity:.3f}"
    console.print(
        f"{fmt.value}: AC@1 {overall.ac[0]:.3f}, AC@3 {overall.ac[2]:.3f} on {overall.cases} "
        f"faults; specificity {spec} on {overall.normal} normal slices; ranker "
        f"{median * 1000:.0f} ms median, {worst * 1000:.0f} ms max per case; "
        f"{result.seconds:.1f} s in all"
    )


def command(
    fmt: Annotated[Format, typer.Option("--format", help="The dataset's layout.")],
    data: Annotated[
        Path, typer.Option("--data", help="The dataset folder (see docs/benchmarks.md).")
    ],
    json_output: JsonOpt = False,
    patterns: Annotated[
        bool,
        typer.Option(
            "--patterns/--no-patterns",
            help="Learn log-pattern baselines from the dataset's fault-free data, if it has some.",
        ),
    ] = True,
    loo: Annotated[
        Loo | None,
        typer.Option(
            "--loo",
            help="Choose the ranking's configuration leaving one group (Nezha system), fault kind "
            "or target metric out, and report the held-out figures (docs/benchmarks.md).",
        ),
    ] = None,
) -> None:
    """Rank the root cause of every labelled fault under DATA and print AC@1, AC@3 and Avg@5."""
    err = Console(stderr=True)
    try:
        dataset = _dataset(fmt, data, patterns)
        if loo is not None:
            _loo(dataset, fmt, loo, json_output, err)
            return
        with _progress(err, json_output) as progress:
            task = progress.add_task(f"{fmt.value}: ranking", total=len(dataset))

            def advance(case: CaseResult) -> None:
                progress.update(task, advance=1, description=f"{fmt.value}: {case.group}")

            result = run_benchmark(dataset, advance)
    except InputError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(2) from None
    if json_output:
        typer.echo(json.dumps(result.document()))
        return
    _summary(Console(), result, fmt)


def _progress(err: Console, transient: bool) -> Progress:
    """The bar every ranking run shows on stderr (gone afterwards when JSON is printed)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=transient,
    )


def _loo(dataset: Dataset, fmt: Format, by: Loo, json_output: bool, err: Console) -> None:
    """Rank every case with every variant, then score each held-out group with the variant
    chosen on the others."""
    runs: dict[str, RcaResult] = {}
    with _progress(err, json_output) as progress:
        task = progress.add_task(f"{fmt.value}: ranking", total=len(dataset) * len(VARIANTS))
        for name, variant in VARIANTS.items():

            def advance(case: CaseResult, name: str = name) -> None:
                progress.update(task, advance=1, description=f"{fmt.value}: {name} {case.group}")

            runs[name] = run_benchmark(dataset, advance, variant)
    result = leave_one_out(runs, by.value)
    best = runs[result.in_sample].scorecard()
    if json_output:
        typer.echo(
            json.dumps(
                {
                    "loo_by": by.value,
                    **result.held_out.document(),
                    "chosen": result.chosen,
                    "in_sample_best": {"variant": result.in_sample, **best.figures()},
                    "variants": {n: r.scorecard().figures() for n, r in runs.items()},
                    "variants_per_group": {
                        n: {g: r.scorecard(g).figures() for g in r.groups} for n, r in runs.items()
                    },
                }
            )
        )
        return
    console = Console()
    _summary(console, result.held_out, fmt)
    chosen = ", ".join(f"{g} → {v}" for g, v in result.chosen.items())
    console.print(
        f"leave one {by.value} out: each held-out {by.value} scored with the variant best on the "
        f"others ({chosen}); in-sample best {result.in_sample}: AC@1 {best.ac[0]:.3f}, "
        f"AC@3 {best.ac[2]:.3f}"
    )
