"""``nightowl model drift --reference FILE --current FILE [--json]``: a one-off drift check.

Reads two windows of a served model's data (CSV, or Parquet with the ``mlops`` extra), tests
every shared column by its kind and lists each with its test, statistic, p-value before and after
multiple-testing control, distance and verdict, and the likely cause of each drifted one. Exits
1 when anything drifted (so CI can gate on it), 0 otherwise. Reads files only; writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.cli.common import console, user_errors
from nightowl.cli.options import JsonOpt
from nightowl.mlops.models import DriftReport, DriftRules, FeatureDrift
from nightowl.mlops.multiple import Correction

model_app = typer.Typer(help="Served models: data and model drift.", no_args_is_help=True)


@model_app.command("drift")
def drift(
    reference: Annotated[Path, typer.Option(help="The reference window (CSV or Parquet).")],
    current: Annotated[Path, typer.Option(help="The current window (CSV or Parquet).")],
    prediction: Annotated[
        str | None, typer.Option(help="The column holding the model's prediction.")
    ] = None,
    label: Annotated[
        str | None, typer.Option(help="The column holding the (delayed) true label.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="A column not to test (ids, timestamps); repeatable.")
    ] = None,
    categorical: Annotated[
        list[str] | None,
        typer.Option(help="A column of numeric codes to test as categories; repeatable."),
    ] = None,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, help="Level after correction.")] = 0.05,
    correction: Annotated[
        Correction, typer.Option(help="Multiple-testing control across features.")
    ] = Correction.BH,
    as_json: JsonOpt = False,
) -> None:
    """Test each column of CURRENT against REFERENCE and say which drifted, and why."""
    from nightowl.mlops.detect import compare
    from nightowl.mlops.frames import read_table

    with user_errors():
        rules = DriftRules(alpha=alpha, correction=correction)
        with console.status("reading the windows …"):
            ref, cur = read_table(reference), read_table(current)
        with console.status("testing …"):
            report = compare(
                ref,
                cur,
                rules,
                prediction=prediction,
                label=label,
                ignore=frozenset(ignore or ()),
                categorical=frozenset(categorical or ()),
            )
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _show(report)
    if report.alarm:
        raise typer.Exit(1)


def _row(table: Table, f: FeatureDrift) -> None:
    table.add_row(
        escape(f.name),
        f.role.value,
        f.kind.value,
        f.test,
        f"{f.statistic:.4g}",
        f"{f.p_value:.3g}",
        f"{f.adjusted_p:.3g}",
        f"{f.distance_name} {f.distance:.3f}",
        "[bold red]drift[/]" if f.drifted else "ok",
        escape(f.cause_detail),
    )


def _show(report: DriftReport) -> None:
    table = Table(
        title=f"{report.reference_rows} reference rows, {report.current_rows} current rows"
    )
    for head in (
        "column",
        "role",
        "kind",
        "test",
        "statistic",
        "p",
        "adjusted p",
        "distance",
        "verdict",
        "likely cause",
    ):
        table.add_column(head)
    for f in report.features:
        _row(table, f)
    if report.prediction is not None:
        _row(table, report.prediction)
    console.print(table)
    if report.performance is not None:
        p = report.performance
        word = "[bold red]decayed[/]" if p.decayed else "holds"
        console.print(f"{p.metric}: {p.reference:.4f} → {p.current:.4f} ({word})")
    moved = len(report.drifted)
    console.print(
        f"{moved} of {len(report.features)} features drifted "
        f"({report.rules.correction.value} at α={report.rules.alpha})"
    )
