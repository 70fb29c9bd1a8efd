"""The record's audit API: security-relevant acts on the trail, refusals included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nightowl.app.access import Principal
from nightowl.app.records import Records
from nightowl.errors import AuthError, ConfigError
from nightowl.settings import Role, Settings


@pytest.fixture
def records(tmp_path: Path) -> Iterator[Records]:
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "approvals": {"approvers": {"*": ["alice"]}}}
    )
    opened = Records.open(settings)
    yield opened
    opened.close()


def test_a_refused_kill_switch_release_is_audited(records: Records) -> None:
    bob = Principal(name="bob", role=Role.APPROVER, via="token")  # an approver, but not global
    records.set_killswitch(True, by=bob, reason="drill")
    with pytest.raises(AuthError, match="only alice may"):
        records.set_killswitch(False, by=bob, reason="done")
    kinds = [(r.kind, r.actor) for r in records.audit_records()]
    assert kinds == [("killswitch", "bob"), ("access.refused", "bob")]
    refused = list(records.audit_records())[-1]
    assert refused.data["action"] == "killswitch.off"
    assert records.audit_check().ok


def test_any_security_act_goes_on_the_signed_trail(records: Records) -> None:
    record = records.audit("silence.added", {"silence": "s-1"}, actor="alice")
    assert (record.kind, record.actor, record.data) == (
        "silence.added",
        "alice",
        {"silence": "s-1"},
    )
    assert record.key_id
    assert records.audit_check().ok


def test_opening_over_a_lost_key_is_a_configuration_error(tmp_path: Path) -> None:
    settings = Settings.model_validate({"data_dir": str(tmp_path)})
    first = Records.open(settings)
    first.audit("config.loaded", {}, actor="nightowl")
    first.close()
    (tmp_path / "audit.key").unlink()
    with pytest.raises(ConfigError, match="audit key file"):
        Records.open(settings)


def test_the_key_can_come_from_the_environment(tmp_path: Path) -> None:
    from nightowl.settings import load_settings

    env = {"NIGHTOWL_AUDIT_KEY": "e" * 40}
    settings = load_settings(data_dir=tmp_path, environ=env)
    opened = Records.open(settings)
    try:
        opened.audit("config.loaded", {}, actor="nightowl")
        assert opened.audit_check().ok
    finally:
        opened.close()
    assert not (tmp_path / "audit.key").exists()
