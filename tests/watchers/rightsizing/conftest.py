"""A real Prometheus backfilled (promtool) with fourteen days of a small cluster's history
(``history.py``), started once for the rightsizing tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from nightowl_lab.harness.prometheus import PrometheusServer

from tests.watchers.rightsizing.history import openmetrics


@pytest.fixture(scope="session")
def history() -> Iterator[tuple[str, datetime]]:
    """The server's URL and the instant its history ends."""
    now = time.time()
    with PrometheusServer(history=openmetrics(now)) as server:
        yield server.url, datetime.fromtimestamp(now, UTC)
