"""Options every command takes (``--config``, ``--data-dir``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Path to nightowl.yaml (default: $NIGHTOWL_CONFIG, else embedded defaults).",
        show_default=False,
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where nightowl keeps its database and reports (default: $NIGHTOWL_DATA_DIR, "
        "else ~/.local/share/nightowl).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
