"""What every command shares: nightowl's errors shown as one clear line, exactly as raised."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from nightowl.cli.common import user_errors
from nightowl.errors import ConfigError, NotFoundError
from tests.cli.test_incidents import run


def test_an_install_hint_keeps_its_extra_in_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    hint = "the kubernetes driver needs the kubernetes client: pip install 'nightowl[kubernetes]'"

    with pytest.raises(typer.Exit) as exited, user_errors():
        raise ConfigError(hint, where="actions.driver")

    assert exited.value.exit_code == 2
    assert "pip install 'nightowl[kubernetes]'" in " ".join(capsys.readouterr().err.split())


def test_text_that_looks_like_markup_is_shown_as_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(typer.Exit) as exited, user_errors():
        raise NotFoundError("no silence '[bold]x[/bold]'")

    assert exited.value.exit_code == 1
    assert "no silence '[bold]x[/bold]'" in " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(
    "command",
    [
        ("graph", "show", "checkout"),
        ("graph", "who-changed", "checkout"),
        ("graph", "forget", "checkout"),
        ("memory", "similar", "inc-1"),
        ("memory", "forget"),
        ("silence", "expire", "s-1"),
        ("deadletter", "purge"),
    ],
)
def test_commands_on_what_exists_refuse_a_data_dir_with_no_store(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """They read, or change what must already be there: a mistyped --data-dir is refused, not
    made into an empty store that answers "nothing"."""
    wrong = tmp_path / "typo"

    result = run(*command, "--data-dir", wrong)

    assert result.exit_code == 1, result.output
    assert f"no nightowl store at {wrong / 'nightowl.sqlite'}" in result.stderr
    assert not wrong.exists()
