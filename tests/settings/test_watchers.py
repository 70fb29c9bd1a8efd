"""The ``watchers:`` section: a bad cron or a name given twice is refused when settings load."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nightowl.settings import OnFinding, Settings


def test_a_watcher_gets_a_checked_cron_and_safe_defaults() -> None:
    settings = Settings.model_validate(
        {"watchers": [{"name": "drift", "kind": "drift", "schedule": "*/15  * * * *"}]}
    )
    (watcher,) = settings.watchers
    assert watcher.schedule == "*/15 * * * *"
    assert watcher.on_finding is OnFinding.RECORD  # nothing leaves the store unless asked


@pytest.mark.parametrize(
    ("schedule", "message"),
    [("61 * * * *", "minute field"), ("0 0 31 2 *", "never matches"), ("* * *", "3 field")],
)
def test_a_bad_schedule_is_refused_naming_what_is_wrong(schedule: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings.model_validate(
            {"watchers": [{"name": "d", "kind": "drift", "schedule": schedule}]}
        )


def test_a_name_given_twice_is_refused() -> None:
    twice = [{"name": "d", "kind": "drift"}, {"name": "d", "kind": "cost"}]
    with pytest.raises(ValidationError, match="configured twice"):
        Settings.model_validate({"watchers": twice})


def test_a_name_must_be_usable_in_a_schedule_and_a_url() -> None:
    with pytest.raises(ValidationError, match="pattern"):
        Settings.model_validate({"watchers": [{"name": "a b/c", "kind": "drift"}]})
