"""Values in the unit people read a signal in."""

from __future__ import annotations

import pytest

from nightowl.domain.units import human


@pytest.mark.parametrize(
    ("signal", "value", "shown"),
    [
        ("error_rate", 0.021, "2.1%"),
        ("error_rate", 0.42, "42%"),
        ("latency_p99", 0.25, "250 ms"),
        ("latency_p50", 1.74, "1.74 s"),
        ("memory", 4.03e8, "403.0 MB"),
        ("memory", 2.5e9, "2.5 GB"),
        ("memory", 512, "512 B"),
        ("request_rate", 120, "120/s"),
        ("request_rate", 2.25, "2.2/s"),
        ("cpu", 0.5, "0.5"),
    ],
)
def test_a_value_is_shown_in_its_signals_unit(signal: str, value: float, shown: str) -> None:
    assert human(value, signal) == shown


def test_memory_never_shows_in_scientific_notation() -> None:
    assert "e+" not in human(4.03e8, "memory")
