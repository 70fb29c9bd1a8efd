"""A small ``nightowl bench ha``: real PostgreSQL, 2 API replicas and 2 workers, every alert to
both replicas, one replica and one worker SIGKILLed and restarted — nothing acknowledged is lost,
no action is done twice, every incident completes, and the HA duplicates are one alert each."""

from __future__ import annotations

from pathlib import Path

import pytest
from nightowl_lab.eval.ha import run


@pytest.mark.slow
@pytest.mark.postgres
def test_a_small_bench_ha_loses_nothing_and_acts_once(tmp_path: Path) -> None:
    result = run(tmp_path, waves=4, per_wave=3, progress=lambda *_: None)

    assert result.lost == 0, result
    assert result.duplicate_actions == 0, result
    # Waves may join one another's incident (each process replays the scenario on a clock of its
    # own, so one process's "just opened" is another's "within the correlation window").
    assert 1 <= result.incidents <= 4, result
    assert result.incidents_completed == result.incidents, result
    assert result.stored == result.alerts, result  # each alert stored once, from either replica
    assert result.acknowledged >= result.alerts, result
