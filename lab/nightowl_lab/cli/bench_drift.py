"""``nightowl bench drift``: model and data drift detection on scikit-learn's diabetes table with
injected covariate shift, label shift, a unit change and a new category beside clean weeks of
hourly checks — detection rate, false alarms per clean week, delay to detection, the cause named —
under each paging rule (every flag, k consecutive checks, at once within a weekly budget, the
watcher's default), for nightowl's tests on the rows, the same windows counted into fixed histogram buckets (what
the watcher reads from Prometheus) and, when installed, evidently's default data-drift preset on the same
windows in the same run."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nightowl.cli.common import console, err_console
from nightowl.cli.options import JsonOpt
from nightowl.errors import ConfigError
from nightowl_lab.eval.drift import EXPECTED_CAUSE, Detector, Plan, Score, nightowl_detector, run
from nightowl_lab.eval.drift_data import TARGET_FEATURE, load
from nightowl_lab.eval.drift_histograms import histogram_detector


def command(
    clean_weeks: Annotated[int, typer.Option(min=1, help="Clean weeks of hourly checks.")] = 2,
    seeds: Annotated[int, typer.Option(min=1, help="Rollouts per injected drift.")] = 5,
    hours: Annotated[int, typer.Option(min=1, help="Hourly checks per rollout.")] = 48,
    ramp: Annotated[int, typer.Option(min=1, help="Hours for a change to roll out fully.")] = 24,
    seed: Annotated[int, typer.Option(help="The random splits' seed.")] = 2026,
    evidently: Annotated[
        bool, typer.Option("--evidently/--no-evidently", help="Also run evidently's preset.")
    ] = True,
    json_output: JsonOpt = False,
) -> None:
    """Score drift detection: detection rate, false alarms per clean week, delay to detection."""
    plan = Plan(clean_weeks=clean_weeks, seeds=seeds, hours=hours, ramp=ramp, seed=seed)
    try:
        data = load()
        detectors: dict[str, Detector] = {
            "nightowl": nightowl_detector,
            "nightowl (histograms)": histogram_detector(data),
        }
        if evidently:
            from nightowl_lab.eval.drift_evidently import evidently_detectors

            detectors |= evidently_detectors()
    except ConfigError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, disable=json_output) as progress:
        task = progress.add_task("hourly checks", total=plan.checks)
        scores = run(data, detectors, plan, lambda: progress.advance(task))
    if json_output:
        console.print_json(json.dumps([_as_json(s) for s in scores]))
    else:
        _print(scores, plan)


def _as_json(score: Score) -> dict[str, object]:
    return {
        "detector": score.detector,
        "bound_false_pages_per_week": score.bound,
        "clean_checks": score.clean_checks,
        "false_alarms": score.false_alarms,
        "false_alarms_per_clean_week": score.false_alarms_per_week,
        "drifts": {
            str(i): {
                "detection_rate": score.rate(i),
                "median_delay_hours": score.median_delay(i),
                "cause_named": score.causes_right.get(i, 0) if i in EXPECTED_CAUSE else None,
                "runs": score.runs.get(i, 0),
            }
            for i in TARGET_FEATURE
        },
    }


def _print(scores: list[Score], plan: Plan) -> None:
    table = Table(
        title=f"{plan.clean_weeks} clean weeks, {plan.seeds} rollouts × {plan.hours} h each"
    )
    table.add_column("detector")
    table.add_column("false pages / clean week (bound)")
    for injection in TARGET_FEATURE:
        table.add_column(f"{injection}: rate, delay h")
    for s in scores:
        cells = []
        for i in TARGET_FEATURE:
            delay = s.median_delay(i)
            cells.append(f"{s.rate(i):.0%}, {'—' if delay is None else f'{delay:g}'}")
        bound = f" ({s.bound:.3g})" if s.bound is not None else ""
        table.add_row(s.detector, f"{s.false_alarms_per_week:.2f}{bound}", *cells)
    console.print(table)
