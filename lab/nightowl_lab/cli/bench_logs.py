"""``nightowl bench logs``: the Loghub log-parsing benchmark (accuracy, speed, memory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.analysis.logs.config import MinerConfig
from nightowl.cli.common import console, err_console
from nightowl.cli.options import JsonOpt
from nightowl.errors import ConfigError, InputError
from nightowl_lab.eval.loghub import LogBenchResult, SystemScore, find_systems, run_benchmark
from nightowl_lab.eval.loghub_select import GRID

BASELINES = ("drain3",)


def command(
    dataset_dir: Annotated[
        Path,
        typer.Option(
            "--dataset-dir",
            help="Loghub copy: <System>/<System>_2k.log_structured.csv per system "
            "(e.g. ../shared/bench/loghub-2k).",
        ),
    ],
    corrected: Annotated[
        bool,
        typer.Option(
            "--corrected", help="Use the Loghub-2.0 corrected labels (*_structured_corrected.csv)."
        ),
    ] = False,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Also run a baseline in the same run: drain3."),
    ] = None,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Timed runs per system (best is kept).")
    ] = 3,
    select: Annotated[
        bool,
        typer.Option(
            "--select/--no-select",
            help="Also choose the configuration leave-one-system-out from a small grid.",
        ),
    ] = True,
    json_output: JsonOpt = False,
) -> None:
    """Score the log template miner on Loghub: grouping and parsing accuracy, lines/s, memory."""
    try:
        result = _run(dataset_dir, corrected, baseline, repeat, select, quiet=json_output)
    except (InputError, ConfigError) as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if json_output:
        console.print_json(json.dumps(_as_json(result)))
    else:
        _print(result)


def _run(
    dataset_dir: Path,
    corrected: bool,
    baseline: str | None,
    repeat: int,
    select: bool,
    *,
    quiet: bool,
) -> LogBenchResult:
    factory = None
    if baseline is not None:
        if baseline not in BASELINES:
            raise InputError(
                f"unknown baseline {baseline!r}; choose one of: {', '.join(BASELINES)}"
            )
        from nightowl_lab.eval.drain3_baseline import drain3_factory

        factory = drain3_factory(dataset_dir)
    steps = len(find_systems(dataset_dir, corrected=corrected)) + (len(GRID) if select else 0)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )
    with progress:
        task = progress.add_task("parsing", total=steps)

        def on_system(name: str) -> None:
            progress.update(task, description=f"parsing {name}")
            progress.advance(task)

        def on_config(config: MinerConfig) -> None:
            progress.update(task, description=f"leave-one-out: scoring {config}")
            progress.advance(task)

        result = run_benchmark(
            dataset_dir,
            corrected=corrected,
            baseline=factory,
            repeat=repeat,
            on_system=on_system,
            select=select,
            on_config=on_config,
        )
    return result


def _as_json(result: LogBenchResult) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    return {
        "summary": _summary(result),
        "systems": data["systems"],
        "average": data["average"],
        "leave_one_out": data["leave_one_out"],
        "baseline": data["baseline"],
        "corrected": data["corrected"],
        "dataset_dir": data["dataset_dir"],
    }


def _summary(result: LogBenchResult) -> str:
    """One line: the fixed configuration, the leave-one-out choice, in-sample, speed."""
    avg, loo, base = result.average, result.leave_one_out, result.baseline
    parts = [
        f"{len(result.systems)} systems",
        f"fixed config GA {avg.grouping_accuracy:.3f} PA {avg.parsing_accuracy:.3f}",
    ]
    if loo is not None:
        held, fit = loo.average, loo.in_sample_average
        parts.append(
            f"leave-one-out ({loo.grid_size} configs) GA {held.grouping_accuracy:.3f} "
            f"PA {held.parsing_accuracy:.3f}"
        )
        parts.append(f"in-sample {fit.grouping_accuracy:.3f}/{fit.parsing_accuracy:.3f}")
    speed = f"{avg.lines_per_second / 1e3:,.0f}k lines/s"
    if base is not None:
        speed += f" = {base.speed_ratio:.2f}x {base.name}"
    parts.append(speed)
    return " | ".join(parts)


def _bar(value: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


def _print(result: LogBenchResult) -> None:
    labels = "Loghub-2.0 corrected" if result.corrected else "Loghub"
    console.print(_table(result, labels))
    _chart(result)
    console.print(f"[bold]summary:[/] {escape(_summary(result))}")


def _table(result: LogBenchResult, labels: str) -> Table:
    """Per system: fixed configuration, leave-one-out choice, speed, and the baseline (dim)."""
    base, loo = result.baseline, result.leave_one_out
    title = f"Log template mining on {labels} labels"
    if base:
        title += f" (dim: {base.name})"
    table = Table(title=title, caption="k/s = thousand lines per second; peak memory in --json")
    headers = ["system", "GA", "PA"] + (["LOO GA", "LOO PA"] if loo else []) + ["k/s"]
    headers += ["GA", "PA", "k/s"] if base else []
    for i, header in enumerate(headers):
        table.add_column(
            header,
            justify="left" if i == 0 else "right",
            no_wrap=True,
            style="dim" if base and i >= len(headers) - 3 else None,
        )
    for name, score in result.systems.items():
        cells = [name, *_pair(score.grouping_accuracy, score.parsing_accuracy)]
        if loo is not None:
            held = loo.systems[name]
            cells += _pair(held.grouping_accuracy, held.parsing_accuracy)
        cells.append(f"{score.lines_per_second / 1e3:,.0f}")
        if base:
            cells += _cells(base.systems.get(name))
        table.add_row(*cells)
    avg = result.average
    cells = ["average", *_pair(avg.grouping_accuracy, avg.parsing_accuracy)]
    if loo is not None:
        cells += _pair(loo.average.grouping_accuracy, loo.average.parsing_accuracy)
    cells.append(f"{avg.lines_per_second / 1e3:,.0f}")
    if base:
        b = base.average
        cells += [
            *_pair(b.grouping_accuracy, b.parsing_accuracy),
            f"{b.lines_per_second / 1e3:,.0f}",
        ]
    table.add_section()
    table.add_row(*cells, style="bold")
    return table


def _pair(ga: float, pa: float) -> list[str]:
    return [f"{ga:.3f}", f"{pa:.3f}"]


def _cells(score: SystemScore | None) -> list[str]:
    if score is None:
        return ["—", "—", "—"]
    return [
        *_pair(score.grouping_accuracy, score.parsing_accuracy),
        f"{score.lines_per_second / 1e3:,.0f}",
    ]


def _chart(result: LogBenchResult) -> None:
    base = result.baseline
    console.print(
        "[bold]per system[/]  [green]GA[/]  [cyan]PA[/]"
        + (f"  [dim]{base.name} GA[/]" if base else "")
    )
    for name, score in result.systems.items():
        ga, pa = score.grouping_accuracy, score.parsing_accuracy
        line = f"  {name:<10} [green]{_bar(ga)}[/] {ga:.3f}  [cyan]{_bar(pa, 12)}[/] {pa:.3f}"
        if base and name in base.systems:
            theirs = base.systems[name].grouping_accuracy
            line += f"  [dim]{_bar(theirs, 12)} {theirs:.3f}[/]"
        console.print(line)
