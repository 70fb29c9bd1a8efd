"""The lab's commands are added lazily to ``nightowl``: listed with their own help line, imported
only when they run."""

from __future__ import annotations

import inspect

import typer
from nightowl_lab.cli import register
from typer.testing import CliRunner

from nightowl.cli.lazy import LazyGroup, lazy_typer

NAMES = {"bench", "demo", "eval", "eval-llm", "scenarios", "sandbox"}


def registered() -> type[LazyGroup]:
    app = lazy_typer()
    register(app)
    group = app.info.cls
    assert isinstance(group, type)
    assert issubclass(group, LazyGroup)
    return group


def test_every_lab_command_is_registered_lazily() -> None:
    assert set(registered().lazy) == NAMES


def test_every_listed_line_is_the_real_commands_help() -> None:
    for name, entry in registered().lazy.items():
        real = entry.load(name).help or ""

        assert inspect.cleandoc(real).split("\n\n")[0] == entry.help, name


def test_eval_llm_runs_but_is_not_listed() -> None:
    app = lazy_typer()
    register(app)

    listing = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    hidden = CliRunner().invoke(app, ["eval-llm", "--help"], env={"COLUMNS": "200"})

    assert "demo" in listing
    assert "eval-llm" not in listing
    assert hidden.exit_code == 0, hidden.output


def test_the_nightowl_command_lists_the_lab() -> None:
    from nightowl.cli.main import app

    group = typer.main.get_command(app)

    assert isinstance(group, LazyGroup)
    assert set(group.lazy) >= NAMES
