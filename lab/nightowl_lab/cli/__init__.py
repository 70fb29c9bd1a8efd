"""The lab's commands, added to ``nightowl`` through the ``nightowl.commands`` entry point.

``register`` adds ``demo``, ``eval`` (and the hidden ``eval-llm``), ``scenarios``, ``bench`` and
``sandbox``: the same commands, options and output as when they lived in the product's CLI. They
are lazy (nightowl.cli.lazy): each module is imported when its command runs, so ``nightowl --help``
stays fast; lab/tests/test_cli_lazy.py checks the help lines are the commands' own.
"""

from __future__ import annotations

import typer

from nightowl.cli.lazy import add_lazy


def register(app: typer.Typer) -> None:
    """Add the lab's commands and groups to the ``nightowl`` app (imported when they run)."""
    add_lazy(
        app,
        "bench",
        "nightowl_lab.cli.bench:bench_app",
        "Run nightowl's benchmarks and print their figures (see docs/benchmarks.md).",
    )
    add_lazy(
        app,
        "demo",
        "nightowl_lab.cli.demo:command",
        "Replay the classic 3 AM page (checkout v2.4.1 leaks memory) through the whole pipeline.",
    )
    add_lazy(
        app,
        "eval",
        "nightowl_lab.cli.eval:command",
        "Replay every scenario through the real workflow (autonomy act, simulated cluster) and\n"
        "score it: root-cause service top-1/top-3, fault kind, remediation, unsafe actions, time.\n"
        "With --llm, compare the deterministic engine and the LLM agent side by side (accuracy,\n"
        "tokens and cost per incident).",
    )
    add_lazy(  # the same as `eval --llm`
        app,
        "eval-llm",
        "nightowl_lab.cli.eval_llm:command",
        "Run each scenario with and without the LLM agent and compare them side by side.",
        hidden=True,
    )
    add_lazy(
        app,
        "scenarios",
        "nightowl_lab.cli.scenarios:app",
        "Scenario suites: generate them (run them with `nightowl eval`).",
    )
    add_lazy(
        app,
        "sandbox",
        "nightowl_lab.cli.sandbox:sandbox_app",
        "A live sandbox: demo services, Prometheus, Alertmanager and nightowl on loopback.",
    )
