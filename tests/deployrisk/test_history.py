"""The change-failure rate only counts what was known at the time of the deploy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nightowl.deployrisk.history import history_of

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_failed_deploys_are_those_followed_by_an_incident_within_the_window() -> None:
    deploys = [AT - 100 * H, AT - 70 * H, AT - 50 * H, AT - 30 * H, AT - 2 * H]
    incidents = [AT - 69 * H, AT - 1 * H, AT + 1 * H]  # the last is after `at`: never read
    h = history_of(deploys, incidents, AT, window_hours=24, days=90, recent_days=7)
    # 70 h ago → incident 69 h ago: failed; 2 h ago → incident 1 h ago: failed (known already);
    # 100, 50 and 30 h ago: windows closed without an incident.
    assert (h.deploys, h.failed) == (5, 2)
    assert h.recent_incidents == 2


def test_a_deploy_whose_window_is_still_open_is_not_yet_rated() -> None:
    h = history_of([AT - 100 * H, AT - 3 * H], [], AT, window_hours=24, days=90, recent_days=7)
    assert (h.deploys, h.failed) == (1, 0)


def test_old_deploys_and_incidents_fall_out_of_the_windows() -> None:
    h = history_of(
        [AT - timedelta(days=100)], [AT - timedelta(days=8)], AT,
        window_hours=24, days=90, recent_days=7,
    )  # fmt: skip
    assert (h.deploys, h.recent_incidents) == (0, 0)
