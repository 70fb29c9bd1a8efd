"""A recurrence moves every time of a scenario and keeps everything else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from nightowl_lab.sim.recur import recur, write
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario


def test_a_recurrence_moves_every_time_and_round_trips(tmp_path: Path) -> None:
    first = load_scenario(bundled_scenario("checkout-bad-deploy"))
    week = timedelta(days=7)
    again = recur(first, "02-again", week)
    assert again.name == "02-again"
    assert (again.start, again.end) == (first.start + week, first.end + week)
    assert [d.at for d in again.deploys] == [d.at + week for d in first.deploys]
    assert [f.start for f in again.faults] == [f.start + week for f in first.faults]
    assert [a.at for a in again.alerts] == [a.at + week for a in first.alerts]
    assert again.truth == first.truth
    assert again.services == first.services
    assert load_scenario(write(again, tmp_path)) == again
