"""``nightowl scenarios generate``: write a suite of generated scenarios (every fault kind);
``nightowl scenarios deploys``: write a synthetic deploy history for the deploy risk backtest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nightowl.cli.common import console, user_errors
from nightowl.errors import InputError
from nightowl_lab.sim.deploys import generate as generate_deploys
from nightowl_lab.sim.generator import KINDS, write_suite

app = typer.Typer(help="Scenario suites: generate them (run them with `nightowl eval`).")


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory to write the scenario files to.")],
    variants: Annotated[int, typer.Option(min=1, help="Scenarios per fault kind.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same suite.")] = 0,
) -> None:
    """Every fault kind in VARIANTS variants, with noise and red herrings."""
    with user_errors():
        paths = write_suite(out, variants, seed)
        console.print(f"wrote {len(paths)} scenarios ({len(KINDS)} kinds × {variants}) to {out}")


@app.command()
def deploys(
    out: Annotated[Path, typer.Option(help="The JSON file to write the history to.")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed writes the same history.")] = 0,
    services: Annotated[int, typer.Option(min=1, max=500, help="How many services.")] = 12,
    days: Annotated[int, typer.Option(min=7, max=3650, help="How many days of deploys.")] = 90,
) -> None:
    """A synthetic deploy history for `nightowl eval --deploys` (outcomes drawn from the causal
    model in nightowl_lab/sim/deploys.py: a consistency check of the score, not evidence)."""
    with user_errors():
        history = generate_deploys(seed, services, days)
        try:
            out.write_text(history.model_dump_json(indent=1))
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc.strerror}") from None
        bad = sum(1 for i in history.incidents if i.caused_by)
        console.print(
            f"wrote {len(history.deploys)} deploys ({bad} caused an incident) and "
            f"{len(history.incidents)} incidents to {out}"
        )
