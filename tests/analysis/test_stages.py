"""The analysis stages' one-line summaries on a real store: human text, never a Python repr."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nightowl.analysis.stages import Triage
from nightowl.domain import StageContext
from nightowl.store import IncidentStore
from tests.store.samples import T0, make_alert, make_incident


def test_triage_of_an_alert_without_a_service_says_unknown_not_none(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    make_incident(store, "inc-1")
    alert = make_alert().model_copy(update={"labels": {"severity": "critical"}})
    store.add_alerts("inc-1", [alert], received_at=T0)

    result = asyncio.run(Triage(store).run(StageContext(), store.get("inc-1")))
    store.close()

    assert result.summary.endswith("service unknown")
    assert "None" not in result.summary
