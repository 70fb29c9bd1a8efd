"""UI users' password hashes are checked when settings load: only formats the UI can verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from nightowl.errors import ConfigError
from nightowl.settings import UiUser, load_settings
from nightowl.settings.people import hash_problem
from nightowl.ui.passwords import hash_password, pbkdf2_hash, verify


def test_hashes_the_ui_makes_are_accepted_and_verify() -> None:
    for stored in (hash_password("correct horse"), pbkdf2_hash("correct horse", 1000)):
        assert hash_problem(stored) is None
        user = UiUser.model_validate({"password_hash": stored, "role": "admin"})
        assert user.password_hash is not None
        assert verify(user.password_hash.get_secret_value(), "correct horse")


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        ("X", "unknown scheme"),
        ("scrypt$16384$8$1$c2FsdA", "wrong number of '$'-separated fields"),
        ("pbkdf2_sha256$many$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "positive whole numbers"),
        ("scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "power of 2"),
        ("scrypt$1048576$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "more than 64 MiB"),
        ("pbkdf2_sha256$1000$c2FsdHNhbHQ$aGFzaA", "too short"),
    ],
)
def test_hashes_the_ui_cannot_verify_are_refused(stored: str, problem: str) -> None:
    assert problem in (hash_problem(stored) or "")
    with pytest.raises(ValidationError, match="make one with `nightowl hash-password`"):
        UiUser.model_validate({"password_hash": stored})


def test_the_error_names_the_user_and_never_shows_the_hash(tmp_path: Path) -> None:
    config = tmp_path / "nightowl.yaml"
    config.write_text('ui:\n  users:\n    alice: {password_hash: "hunter2-ish"}\n', "utf-8")
    with pytest.raises(
        ConfigError, match=r"ui\.users\.alice\.password_hash: .*unknown scheme"
    ) as e:
        load_settings(config=config, environ={})
    assert "hunter2" not in str(e.value)
