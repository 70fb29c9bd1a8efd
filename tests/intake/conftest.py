"""The ``make_desk`` fixture: intakes over real SQLite stores, closed after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nightowl.settings import IntakeSettings
from nightowl.store import IncidentStore
from tests.intake.desk import Desk


@pytest.fixture
def make_desk(tmp_path: Path) -> Iterator[Any]:
    stores: list[IncidentStore] = []

    def make(**settings: Any) -> Desk:
        store = IncidentStore.open(f"sqlite:///{tmp_path / f'intake{len(stores)}.sqlite'}")
        stores.append(store)
        return Desk(store, IntakeSettings(**{"group_wait_seconds": 0, **settings}))

    yield make
    for store in stores:
        store.close()
