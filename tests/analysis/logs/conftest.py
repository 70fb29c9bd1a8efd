"""Fixtures for the log-intelligence tests: the path of the shared Loghub sample, if present."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "bench"


def loghub_lines(system: str) -> list[str]:
    """The 2,000 messages of one Loghub sample (skips when ../shared/bench is absent)."""
    import csv

    path = BENCH / "loghub-2k" / system / f"{system}_2k.log_structured.csv"
    if not path.is_file():
        pytest.skip(f"Loghub sample not found at {path} (read-only data outside the repo)")
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["Content"] for row in csv.DictReader(handle)]


@pytest.fixture
def loghub() -> Callable[[str], list[str]]:
    """``loghub(system)``: the messages of one Loghub sample."""
    return loghub_lines


@pytest.fixture
def hdfs_lines() -> list[str]:
    """The 2,000 HDFS messages of Loghub's sample."""
    return loghub_lines("HDFS")
