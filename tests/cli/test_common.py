"""What every command shares: nightowl's errors shown as one clear line, exactly as raised."""

from __future__ import annotations

import pytest
import typer

from nightowl.cli.common import user_errors
from nightowl.errors import ConfigError, NotFoundError


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
