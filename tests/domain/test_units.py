"""Values in the units people read them in: every signal, durations, counts, bytes."""

from __future__ import annotations

import pytest

from nightowl.domain.units import count, duration, size, value


@pytest.mark.parametrize(
    ("signal", "raw", "shown"),
    [
        ("error_rate", 0.021, "2.1%"),
        ("error_rate", 0.35, "35%"),
        ("latency_p99", 0.25, "250 ms"),
        ("latency_p99", 1.74, "1.74 s"),
        ("memory", 4.03e8, "403 MB"),
        ("memory", 1.25e9, "1.2 GB"),
        ("memory", 950, "950 B"),
        ("request_rate", 120, "120 req/s"),
        ("request_rate", 2.5, "2.5 req/s"),
        ("cpu", 0.5, "0.50 cores"),
    ],
)
def test_signal_values_carry_their_unit(signal: str, raw: float, shown: str) -> None:
    assert value(raw, signal) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.4, "0 s"),
        (45, "45 s"),
        (90, "1 min 30 s"),
        (660, "11 min"),
        (3900, "1 h 5 min"),
        (7200, "2 h"),
        (183600, "2 d 3 h"),
    ],
)
def test_durations_read_as_people_say_them(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_counts_and_sizes() -> None:
    assert count(2111.6) == "2,112"
    assert size(2.0e12) == "2.0 TB"
    assert size(512_000) == "512 kB"


def test_no_value_shows_in_scientific_notation() -> None:
    assert "e+" not in value(4.03e8, "memory")
    assert value(4.03e8, "queue_depth") == "403M"
    assert value(1234.0, "queue_depth") == "1234"
