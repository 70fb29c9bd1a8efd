"""The ``cluster`` section: roles, and a death deadline that a slow heartbeat cannot trip."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nightowl.settings import ClusterSettings, Settings


def test_one_process_does_everything_by_default() -> None:
    cluster = Settings().cluster
    assert (cluster.role, cluster.executor_id) == ("all", None)
    assert cluster.dead_after_seconds >= 3 * cluster.heartbeat_seconds


def test_a_deadline_shorter_than_three_heartbeats_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="at least 3 heartbeats"):
        ClusterSettings(heartbeat_seconds=5, dead_after_seconds=10)


def test_a_role_it_does_not_know_is_refused() -> None:
    with pytest.raises(ValidationError, match="'api', 'worker' or 'all'"):
        Settings.model_validate({"cluster": {"role": "leader"}})
