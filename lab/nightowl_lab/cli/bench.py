"""``nightowl bench ...``: benchmark runners (speed and accuracy targets live here, not in tests)."""

from __future__ import annotations

import typer

from nightowl_lab.cli import (
    bench_canary,
    bench_drift,
    bench_e2e,
    bench_fuzz,
    bench_ha,
    bench_ingest,
    bench_logs,
    bench_nab,
    bench_rca,
)

bench_app = typer.Typer(
    help="Run nightowl's benchmarks and print their figures (see docs/benchmarks.md).",
    no_args_is_help=True,
)

# Each benchmark command lives in its own module and registers itself here, one line each.
bench_app.command("nab")(bench_nab.command)
bench_app.command("logs")(bench_logs.command)
bench_app.command("ingest")(bench_ingest.command)
bench_app.command("rca")(bench_rca.command)
bench_app.command("e2e")(bench_e2e.command)
bench_app.command("fuzz")(bench_fuzz.command)
bench_app.command("canary")(bench_canary.command)
bench_app.command("ha")(bench_ha.command)
bench_app.command("drift")(bench_drift.command)
