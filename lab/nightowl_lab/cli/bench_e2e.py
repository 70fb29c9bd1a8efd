"""``nightowl bench e2e``: every sandbox fault, three times, through the whole live chain."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from nightowl.cli.common import console, user_errors
from nightowl.cli.options import JsonOpt

BenchStateDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Keep the benchmark's sandbox state file at <path>/sandbox/bench-state.json "
        "(default: beside the sandbox's, in the temp dir). The sandbox's nightowl keeps its "
        "database in the sandbox directory, not here.",
        show_default=False,
    ),
]


def command(
    faults: Annotated[
        list[str] | None, typer.Option("--fault", help="Only these faults (repeatable).")
    ] = None,
    runs: Annotated[int, typer.Option(help="Runs per fault.")] = 3,
    data_dir: BenchStateDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a sandbox, run each fault ``runs`` times, report median times and success rates.

    The sandbox brings its own nightowl configuration (docs/sandbox.md), so the command takes
    none; --data-dir is where its state file goes, as for ``nightowl sandbox``.
    """
    from nightowl_lab.sandbox import faults as catalog
    from nightowl_lab.sandbox import lifecycle
    from nightowl_lab.sandbox.run import RunResult, run

    state_file = bench_state_file(data_dir)
    results: dict[str, list[RunResult]] = {}
    with user_errors():
        sandbox = lifecycle.up(state_file)
        try:
            lifecycle.wait_healthy(sandbox)
            for name in faults or list(catalog.FAULTS):
                for i in range(runs):
                    with console.status(f"{name} run {i + 1}/{runs}") as spinner:
                        result = run(sandbox, name, progress=spinner.update)
                    results.setdefault(name, []).append(result)
        finally:
            lifecycle.down(state_file)
    summary = {name: _summary(rs) for name, rs in results.items()}
    if as_json:
        typer.echo(json.dumps(summary, indent=1))
        return
    for name, s in summary.items():
        console.print(
            f"{name:20} correct {s['diagnosis_rate']:.0%}  recovered {s['recovery_rate']:.0%}  "
            f"detect {s['median_detect']}s  diagnose {s['median_diagnose']}s  "
            f"recover {s['median_recover']}s  (alert→recovery {s['median_alert_to_recovery']}s)"
        )
    console.print(_chart(summary))


def bench_state_file(data_dir: Path | None) -> Path:
    """``<data-dir>/sandbox/bench-state.json``, else beside the sandbox's default state file."""
    from nightowl_lab.sandbox import lifecycle

    if data_dir is not None:
        return data_dir / "sandbox" / "bench-state.json"
    return Path(lifecycle.default_state_file().with_name("bench-state.json"))


def _chart(summary: dict[str, dict[str, object]]) -> str:
    """Median seconds from injection, one bar per fault: █ until the alert fires, ▓ until
    nightowl's diagnosis, ░ until recovery; a 60 s mark after the alert is the target's limit."""
    lines = [
        "",
        "injection → alert █ → diagnosis ▓ → recovery ░   (1 char = 2 s; | = alert + 60 s)",
    ]
    for name, s in summary.items():
        detect, diagnose, recover = (
            s["median_detect"],
            s["median_diagnose"],
            s["median_recover"],
        )
        if not isinstance(detect, float):
            lines.append(f"{name:20} no alert")
            continue
        d = round(detect / 2)
        g = round(diagnose / 2) if isinstance(diagnose, float) else d
        r = round(recover / 2) if isinstance(recover, float) else g
        bar = "█" * d + "▓" * max(0, g - d) + "░" * max(0, r - g)
        limit = d + 30
        bar = bar.ljust(limit) + "|" if len(bar) < limit else bar
        tail = f" {recover:.0f}s" if isinstance(recover, float) else " not recovered"
        lines.append(f"{name:20} {bar}{tail}")
    return "\n".join(lines)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 1) if known else None


def _summary(results: Sequence[object]) -> dict[str, object]:
    from nightowl_lab.sandbox.run import RunResult

    rs = [r for r in results if isinstance(r, RunResult)]
    return {
        "runs": len(rs),
        "diagnosis_rate": sum(r.correct for r in rs) / len(rs),
        "recovery_rate": sum(r.recovered for r in rs) / len(rs),
        "median_detect": _median([r.seconds_to_detect for r in rs]),
        "median_diagnose": _median([r.seconds_to_diagnose for r in rs]),
        "median_recover": _median([r.seconds_to_recover for r in rs]),
        "median_alert_to_recovery": _median(
            [
                r.seconds_to_recover - r.seconds_to_detect
                if r.seconds_to_recover is not None and r.seconds_to_detect is not None
                else None
                for r in rs
            ]
        ),
        "diagnoses": [f"{r.diagnosis.kind}:{r.diagnosis.service}" for r in rs],
        "per_run": [
            {
                "correct": r.correct,
                "recovered": r.recovered,
                "actions": [f"{a.kind}:{a.status}" for a in r.actions],
                "alerts": r.alerts,
                "seconds_to_detect": r.seconds_to_detect,
                "seconds_to_diagnose": r.seconds_to_diagnose,
                "seconds_to_recover": r.seconds_to_recover,
            }
            for r in rs
        ],
    }
