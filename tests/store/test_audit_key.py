"""The audit key: kept out of the database, created 0600 once, never silently replaced."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nightowl.errors import ConfigError
from nightowl.store.audit_key import KeySource


def test_a_configured_key_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    key = KeySource(tmp_path / "audit.key", "k" * 40).load(create=True)
    assert key.secret == b"k" * 40
    assert key.where == "audit.key"
    assert not (tmp_path / "audit.key").exists()
    assert len(key.key_id) == 16
    assert key.key_id not in "k" * 40


def test_a_short_configured_key_is_refused_saying_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"at least 32.*openssl rand -hex 32"):
        KeySource(tmp_path / "audit.key", "short").load(create=True)


def test_the_key_file_is_created_once_and_shared_by_racing_processes(tmp_path: Path) -> None:
    source = KeySource(tmp_path / "keys" / "audit.key")
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(source.load(create=True).secret))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1
    assert (tmp_path / "keys" / "audit.key").stat().st_mode & 0o777 == 0o600
    assert source.load(create=False).secret == keys[0]


def test_a_missing_key_file_is_not_replaced(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist.*never starts a new key"):
        KeySource(tmp_path / "audit.key").load(create=False)
    assert not (tmp_path / "audit.key").exists()


def test_an_emptied_key_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "audit.key").write_text("\n")
    with pytest.raises(ConfigError, match="holds 0 characters"):
        KeySource(tmp_path / "audit.key").load(create=True)


def test_a_key_readable_by_others_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "audit.key"
    path.write_text("a" * 64)
    path.chmod(0o644)
    KeySource(path).load(create=False)
    assert "chmod 600" in caplog.text
