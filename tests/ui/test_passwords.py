"""UI passwords: scrypt and PBKDF2 hashes verify only their own password; missing or malformed
hashes never verify."""

from __future__ import annotations

import pytest

from nightowl.ui.passwords import hash_password, pbkdf2_hash, verify


def test_scrypt_and_pbkdf2_hashes_verify_only_their_password() -> None:
    for hashed in (hash_password("correct horse"), pbkdf2_hash("correct horse", iterations=1000)):
        assert verify(hashed, "correct horse")
        assert not verify(hashed, "correct horse ")
    assert hash_password("same") != hash_password("same")  # salted


@pytest.mark.parametrize("stored", [None, "", "md5$abc", "scrypt$1$2$3", "pbkdf2_sha256$x$y$z"])
def test_missing_or_malformed_hashes_never_verify(stored: str | None) -> None:
    assert verify(stored, "anything") is False
