"""``nightowl scenarios generate``: write a suite of generated scenarios (every fault kind)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nightowl.cli.common import console, user_errors
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
