"""``nightowl bench logs``: the Loghub log-parsing benchmark (accuracy, speed, memory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.cli.common import console, err_console
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.errors import ConfigError, InputError
from nightowl_lab.eval.loghub import LogBenchResult, SystemScore, find_systems, run_benchmark

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
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Score the log template miner on Loghub: grouping and parsing accuracy, lines/s, memory."""
    del config, data_dir  # accepted like every command; the benchmark needs neither
    try:
        result = _run(dataset_dir, corrected, baseline, repeat, quiet=json_output)
    except (InputError, ConfigError) as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if json_output:
        console.print_json(json.dumps(_as_json(result)))
    else:
        _print(result)


def _run(
    dataset_dir: Path, corrected: bool, baseline: str | None, repeat: int, *, quiet: bool
) -> LogBenchResult:
    factory = None
    if baseline is not None:
        if baseline not in BASELINES:
            raise InputError(
                f"unknown baseline {baseline!r}; choose one of: {', '.join(BASELINES)}"
            )
        from nightowl_lab.eval.drain3_baseline import drain3_factory

        factory = drain3_factory(dataset_dir)
    systems = find_systems(dataset_dir, corrected=corrected)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} systems"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )
    with progress:
        task = progress.add_task("parsing", total=len(systems))
        done = 0

        def on_system(name: str) -> None:
            nonlocal done
            progress.update(task, description=f"parsing {name}", completed=done)
            done += 1

        result = run_benchmark(
            dataset_dir, corrected=corrected, baseline=factory, repeat=repeat, on_system=on_system
        )
        progress.update(task, completed=len(systems))
    return result


def _as_json(result: LogBenchResult) -> dict[str, Any]:
    data = result.model_dump(mode="json")
    return {
        "systems": data["systems"],
        "average": data["average"],
        "baseline": data["baseline"],
        "corrected": data["corrected"],
        "dataset_dir": data["dataset_dir"],
    }


def _bar(value: float, width: int = 24) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "█" * filled + "░" * (width - filled)


def _print(result: LogBenchResult) -> None:
    labels = "Loghub-2.0 corrected" if result.corrected else "Loghub"
    base = result.baseline
    table = Table(title=f"Log template mining on {labels} labels")
    for header in ("system", "GA", "PA", "lines/s", "peak MB"):
        table.add_column(header, justify="left" if header == "system" else "right", no_wrap=True)
    if base:
        for header in ("GA", "PA", "lines/s"):
            table.add_column(f"{base.name} {header}", justify="right", style="dim")
    for name, score in result.systems.items():
        table.add_row(*_row(name, score, base.systems.get(name) if base else None, bool(base)))
    avg = result.average
    cells = [
        "average",
        f"{avg.grouping_accuracy:.3f}",
        f"{avg.parsing_accuracy:.3f}",
        f"{avg.lines_per_second:,.0f}",
        "",
    ]
    if base:
        b = base.average
        cells += [f"{b.grouping_accuracy:.3f}", f"{b.parsing_accuracy:.3f}"]
        cells.append(f"{b.lines_per_second:,.0f}")
    table.add_section()
    table.add_row(*cells, style="bold")
    console.print(table)
    console.print("[bold]grouping accuracy[/] (GA; PA = parsing accuracy)")
    for name, score in result.systems.items():
        line = (
            f"  {name:<10} [green]{_bar(score.grouping_accuracy)}[/] {score.grouping_accuracy:.3f}"
        )
        if base and name in base.systems:
            theirs = base.systems[name].grouping_accuracy
            line += f"   [dim]{base.name} {_bar(theirs, 12)} {theirs:.3f}[/]"
        console.print(line)
    if base:
        console.print(
            f"speed: [bold]{base.speed_ratio:.2f}×[/] {base.name}'s lines per second "
            "(same lines, same run, best of the timed runs)"
        )


def _row(name: str, s: SystemScore, b: SystemScore | None, with_base: bool) -> list[str]:
    cells = [
        name,
        f"{s.grouping_accuracy:.3f}",
        f"{s.parsing_accuracy:.3f}",
        f"{s.lines_per_second:,.0f}",
        f"{s.peak_memory_bytes / 1e6:.1f}",
    ]
    if with_base:
        if b is None:
            return [*cells, "—", "—", "—"]
        cells += [f"{b.grouping_accuracy:.3f}", f"{b.parsing_accuracy:.3f}"]
        cells.append(f"{b.lines_per_second:,.0f}")
    return cells
