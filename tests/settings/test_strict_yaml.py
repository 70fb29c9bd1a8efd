"""Duplicate keys in nightowl's YAML files are errors that name both lines; merge keys still work."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nightowl.errors import ConfigError
from nightowl.runbooks.catalog import load_runbook
from nightowl.settings import load_settings
from nightowl.settings.strict_yaml import DuplicateKeyError, load

TWO_UI_BLOCKS = """\
ui:
  users:
    alice: {role: admin}
server:
  port: 8080
ui:
  token_role: viewer
"""


def test_a_second_block_with_the_same_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    config = tmp_path / "nightowl.yaml"
    config.write_text(TWO_UI_BLOCKS, encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_settings(config=config, environ={})

    message = str(raised.value)
    assert message.startswith(f"{config}: line 6, column 1: ")
    assert "duplicate key 'ui' (first at line 1)" in message


def test_nested_duplicates_are_refused_too() -> None:
    with pytest.raises(DuplicateKeyError, match="duplicate key 'port' \\(first at line 2\\)"):
        load("server:\n  port: 1\n  host: h\n  port: 2\n")


def test_merge_keys_and_overrides_are_not_duplicates() -> None:
    text = "base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n"
    assert load(text) == {"base": {"a": 1, "b": 2}, "derived": {"a": 1, "b": 3}}


def test_it_stays_a_safe_loader() -> None:
    with pytest.raises(yaml.YAMLError):
        load("!!python/object/apply:os.system ['true']")


def test_a_runbook_with_a_duplicate_key_names_the_file(tmp_path: Path) -> None:
    runbook = tmp_path / "restart.yaml"
    runbook.write_text("name: restart\nname: again\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"restart\.yaml: not valid YAML: .*duplicate key 'name'"):
        load_runbook(runbook)
