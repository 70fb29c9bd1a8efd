"""Lazy commands: listed by their help line without importing them, loaded when used, and the
listed line is the real command's own."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from nightowl.cli.lazy import Lazy, LazyGroup, add_lazy, lazy_typer
from nightowl.cli.main import app


def first_paragraph(text: str | None) -> str:
    return inspect.cleandoc(text or "").split("\n\n")[0]


def root() -> LazyGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    return group


def test_every_listed_line_is_the_real_commands_help() -> None:
    entries = {name: e for name, e in root().lazy.items() if e.target.startswith("nightowl.")}
    assert {"incidents", "audit", "approve", "deny"} <= set(entries)

    for name, entry in entries.items():
        assert first_paragraph(entry.load(name).help) == entry.help, name


def test_the_listing_imports_no_command_module() -> None:
    code = (
        "import json, sys; from typer.testing import CliRunner; from nightowl.cli.main import app; "
        "out = CliRunner().invoke(app, ['--help']).output; assert 'incidents' in out, out; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('nightowl.cli.'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(loaded) == [
        "nightowl.cli.lazy",
        "nightowl.cli.main",
        "nightowl.cli.options",
        "nightowl.cli.plugins",
    ]


def test_a_lazy_group_runs_once_loaded() -> None:
    result = CliRunner().invoke(app, ["incidents", "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "list" in result.output
    assert "show" in result.output


def test_a_mistyped_command_is_offered_the_lazy_ones() -> None:
    result = CliRunner().invoke(app, ["incident"], env={"COLUMNS": "200"})

    assert result.exit_code == 2
    assert "Did you mean 'incidents'" in result.output


def test_a_hidden_lazy_command_runs_but_is_not_listed() -> None:
    sample = lazy_typer(no_args_is_help=True)
    add_lazy(sample, "secret", "nightowl.cli.approvals:deny", "Deny.", hidden=True)
    add_lazy(sample, "shown", "nightowl.cli.approvals:approve", "Approve.")

    listing = CliRunner().invoke(sample, ["--help"]).output
    secret = CliRunner().invoke(sample, ["secret", "--help"])

    assert "shown" in listing
    assert "secret" not in listing
    assert secret.exit_code == 0
    assert "--reason" in secret.output


def test_apps_made_by_lazy_typer_do_not_share_commands() -> None:
    one, two = lazy_typer(), lazy_typer()
    add_lazy(one, "x", "nightowl.cli.approvals:deny", "Deny.")

    assert two.info.cls is not None
    assert issubclass(two.info.cls, LazyGroup)
    assert "x" not in two.info.cls.lazy


def test_a_plain_typer_app_is_refused() -> None:
    with pytest.raises(TypeError, match="lazy_typer"):
        add_lazy(typer.Typer(), "x", "nightowl.cli.approvals:deny", "Deny.")


def test_a_wrong_target_fails_when_used() -> None:
    with pytest.raises(AttributeError):
        Lazy(target="nightowl.cli.approvals:nothing_here", help="-").load("x")
