"""The lab's commands, added to ``nightowl`` through the ``nightowl.commands`` entry point.

``register`` adds ``demo``, ``eval`` (and the hidden ``eval-llm``), ``scenarios``, ``bench`` and
``sandbox``: the same commands, options and output as when they lived in the product's CLI.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the lab's commands and groups to the ``nightowl`` app (imports them only then)."""
    from nightowl_lab.cli import demo, eval_llm
    from nightowl_lab.cli import eval as eval_cli
    from nightowl_lab.cli.bench import bench_app
    from nightowl_lab.cli.sandbox import sandbox_app
    from nightowl_lab.cli.scenarios import app as scenarios_app

    app.add_typer(bench_app, name="bench")
    app.command("demo")(demo.command)
    app.command("eval")(eval_cli.command)
    app.command("eval-llm", hidden=True)(eval_llm.command)  # the same as `eval --llm`
    app.add_typer(scenarios_app, name="scenarios")
    app.add_typer(sandbox_app, name="sandbox")
