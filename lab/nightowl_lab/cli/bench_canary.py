"""``nightowl bench canary``: how early canary analysis flags a bad deploy (seconds from deploy
to verdict, beside the first alert's), and how often it fails a good one."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.cli.common import console, user_errors
from nightowl.cli.options import JsonOpt
from nightowl.errors import InputError
from nightowl.settings import Settings
from nightowl_lab.eval.canary import CanaryResult, run_benchmark
from nightowl_lab.eval.scenarios import scenario_files
from nightowl_lab.sim.generator import write_suite
from nightowl_lab.sim.scenario import bundled_names, bundled_scenario


def _paths(scenarios: Path | None, variants: int, seed: int, work: Path) -> list[Path]:
    if scenarios is not None:
        if not scenarios.is_dir():
            raise InputError(f"{scenarios}: no such directory of scenario files")
        return scenario_files(scenarios)
    bundled = [bundled_scenario(name) for name in bundled_names()]
    return bundled + write_suite(work / "suite", variants=variants, seed=seed)


def _table(result: CanaryResult) -> Table:
    table = Table(title=f"canary analysis: {len(result.cases)} deploys")
    for column in ("scenario", "deploy", "bad", "verdict", "to verdict", "to alert", "wall"):
        table.add_column(column, no_wrap=column != "scenario")
    for c in result.cases:
        alert = "—" if c.seconds_to_alert is None else f"{c.seconds_to_alert:.0f} s"
        table.add_row(
            c.scenario, f"{c.service} {c.version}", "bad" if c.bad else "good", c.verdict.value,
            f"{c.seconds_to_verdict:.0f} s", alert, f"{c.wall_seconds:.2f} s",
        )  # fmt: skip
    return table


def figures(result: CanaryResult) -> dict[str, object]:
    caught = [c for c in result.cases if c.bad and c.verdict.value == "fail"]
    lead = sorted(
        c.seconds_to_alert - c.seconds_to_verdict for c in caught if c.seconds_to_alert is not None
    )
    return {
        "deploys": len(result.cases),
        "bad": sum(c.bad for c in result.cases),
        "detected": result.detected,
        "false_alarms": result.false_alarms,
        "flagged_before_alert": result.before_alert,
        "median_seconds_to_verdict": _median([c.seconds_to_verdict for c in caught]),
        "median_lead_over_alert_seconds": _median(lead),
    }


def _median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def command(
    scenarios: Annotated[
        Path | None,
        typer.Option(help="A directory of scenario files (default: bundled + a generated suite)."),
    ] = None,
    variants: Annotated[int, typer.Option(min=1, max=20, help="Generated variants per kind.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the generated suite.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Analyse every deploy of every scenario with the default ``canary:`` settings."""
    with user_errors(), tempfile.TemporaryDirectory(prefix="nightowl-canary-") as tmp:
        work = Path(tmp)
        result = measure(_paths(scenarios, variants, seed, work), work, transient=as_json)
    if as_json:
        out = {**figures(result), "cases": [c.model_dump(mode="json") for c in result.cases]}
        typer.echo(json.dumps(out, indent=2))
        return
    console.print(_table(result))
    for key, value in figures(result).items():
        console.print(f"{key}: {value}")


def measure(paths: list[Path], work: Path, transient: bool = False) -> CanaryResult:
    """Analyse every deploy of ``paths`` with the default ``canary:`` settings (a Rich bar)."""

    def settings_for(path: Path) -> Settings:
        data = work / "data" / path.stem
        connector = {"name": "scenario", "kind": "replay", "scenario": str(path)}
        return Settings.model_validate({"data_dir": str(data), "connectors": [connector]})

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=transient,
    ) as bar:  # fmt: skip
        task = bar.add_task("deploys analysed", total=None)
        return asyncio.run(run_benchmark(paths, settings_for, lambda _: bar.advance(task)))


def bundled_paths() -> list[Path]:
    """The bundled scenarios (what ``eval --deploys --canary`` measures canary timing on)."""
    return [bundled_scenario(name) for name in bundled_names()]
