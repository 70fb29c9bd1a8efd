"""The logging section: level in any case, NIGHTOWL_LOG_LEVEL, and errors naming the bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.errors import ConfigError
from nightowl.settings import load_settings


def test_the_logging_section_and_nightowl_log_level(tmp_path: Path) -> None:
    config = tmp_path / "nightowl.yaml"
    config.write_text("logging: {level: info, format: json, access_log: true}\n", "utf-8")

    from_file = load_settings(config=config, environ={}).logging
    from_env = load_settings(config=config, environ={"NIGHTOWL_LOG_LEVEL": "debug"}).logging

    assert (from_file.level, from_file.format, from_file.access_log) == ("INFO", "json", True)
    assert (from_env.level, from_env.format) == ("DEBUG", "json")
    assert load_settings(environ={}).logging.level == "WARNING"


def test_an_unknown_level_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"logging\.level: .*\(got 'LOUD'\)"):
        load_settings(environ={"NIGHTOWL_LOG_LEVEL": "loud"})
