"""Group keys: stored in every alert state and group row, so they must come out the same in every
version (an upgrade that changed them would split every group in flight), however often asked."""

from __future__ import annotations

import pytest

from nightowl.intake.absorb import GROUP_KEYS_CACHED, group_key_of


@pytest.mark.parametrize(
    ("labels", "key"),
    [
        ({"service": "checkout", "alertname": "HighErrorRate"}, "34750bb4c1106563700b8dff3acccaf5"),
        ({}, "4f53cda18c2baa0c0354bb5f9a3ecbe5"),
        (
            {"service": "zahlungsdienst-ü", "alertname": 'Lätenz "hoch"'},
            "228cf384d106155cf6df89a523241519",
        ),
    ],
)
def test_a_group_key_is_the_one_earlier_versions_stored(labels: dict[str, str], key: str) -> None:
    assert group_key_of(labels) == key
    assert group_key_of(dict(reversed(labels.items()))) == key  # the labels' order never matters


def test_more_label_sets_than_are_remembered_keep_their_keys() -> None:
    sets = [{"alertname": "Probe", "pod": f"p-{n}"} for n in range(GROUP_KEYS_CACHED * 2)]
    first = [group_key_of(labels) for labels in sets]

    assert [group_key_of(labels) for labels in sets] == first
    assert len(set(first)) == len(sets)
