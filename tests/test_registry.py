"""The lazy plugin registry: built-in kinds resolve to their classes on first use, an unknown kind
names the known ones, and a missing optional dependency or distribution says what to install."""

from __future__ import annotations

import pytest

from nightowl.errors import ConfigError
from nightowl.notify.file import FileNotifier
from nightowl.registry import CONNECTORS, DRIVERS, NOTIFIERS, WATCHERS, Plugins, resolve

NO_ENTRY_POINTS = "nightowl.tests-no-such-group"


def test_every_built_in_kind_resolves_to_a_class_with_that_import_path() -> None:
    for table in (CONNECTORS, NOTIFIERS, DRIVERS, WATCHERS):
        for kind, target in table.builtins.items():
            module, _, attr = target.partition(":")
            cls = resolve(table, kind, "plugin")  # the test install has every extra
            assert (cls.__module__, cls.__name__) == (module, attr)


def test_a_table_reads_as_a_mapping_of_its_kinds() -> None:
    table = Plugins(NO_ENTRY_POINTS, {"file": "nightowl.notify.file:FileNotifier"})
    assert dict(table) == {"file": "nightowl.notify.file:FileNotifier"}
    assert len(table) == 1
    assert table.plugins() == {}
    assert resolve(table, "file", "notifier") is FileNotifier


def test_an_unknown_kind_names_every_known_one() -> None:
    table = Plugins(NO_ENTRY_POINTS, {"b": "x:B", "a": "x:A"})
    with pytest.raises(ConfigError, match=r"unknown notifier kind 'c'; known kinds: a, b$"):
        resolve(table, "c", "notifier")


def test_a_kind_of_another_distribution_says_which_to_install() -> None:
    with pytest.raises(ConfigError, match=r"comes with nightowl-lab: pip install nightowl-lab"):
        resolve(Plugins(NO_ENTRY_POINTS, {}), "sandbox", "connector")


def test_a_missing_optional_dependency_gives_the_pip_command() -> None:
    table = Plugins(NO_ENTRY_POINTS, {"ssh": "nightowl_tests_absent_sdk.driver:Ssh"})
    with pytest.raises(ConfigError) as caught:
        resolve(table, "ssh", "driver")
    message = str(caught.value)
    assert "needs an optional dependency (nightowl_tests_absent_sdk)" in message
    assert "pip install 'nightowl[ssh]'" in message
