"""The engine's storage: observations are stored once per round in the store and passed by
reference, so what DBOS records per incident does not grow with the size of the series."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.app import Nightowl
from nightowl.logs import handler
from nightowl.store.observations import ObservationRow
from tests.workflow.test_end_to_end import page


def _run(settings_for: Any, tmp_path: Path, step_seconds: int) -> tuple[int, int]:
    """(bytes DBOS recorded for the incident's workflow, bytes of its stored observations)."""
    settings = settings_for(tmp_path, gather={"step_seconds": step_seconds})
    app = Nightowl(settings)
    app.launch()
    try:
        incident = page(app, load_scenario(bundled_scenario("checkout-bad-deploy")))
        with app.store.engine.connect() as conn:
            stored = sum(r.size for r in conn.execute(ObservationRow.__table__.select()))
    finally:
        app.shutdown()
    with sqlite3.connect(settings.data_dir / "workflows.sqlite") as db:
        (recorded,) = db.execute(
            "SELECT COALESCE(SUM(LENGTH(output)), 0) + COALESCE(SUM(LENGTH(error)), 0) "
            "FROM operation_outputs WHERE workflow_uuid = ?",
            (incident.id,),
        ).fetchone()
    return int(recorded), stored


def test_dbos_does_not_grow_with_the_size_of_the_series(settings_for: Any, tmp_path: Path) -> None:
    coarse_dbos, coarse_obs = _run(settings_for, tmp_path / "coarse", step_seconds=60)
    fine_dbos, fine_obs = _run(settings_for, tmp_path / "fine", step_seconds=5)
    assert fine_obs > 5 * coarse_obs  # twelve times the points were gathered and stored...
    assert fine_dbos < 1.1 * coarse_dbos + 512  # ...but DBOS recorded the same small outcomes
    assert coarse_dbos < 20_000


def test_every_line_of_an_incidents_workflow_names_it(settings_for: Any, tmp_path: Path) -> None:
    stream = io.StringIO()
    out = handler("json", stream)
    root = logging.getLogger()
    saved = root.level
    root.addHandler(out)
    root.setLevel(logging.INFO)
    app = Nightowl(settings_for(tmp_path))
    app.launch()
    try:
        incident = page(app, load_scenario(bundled_scenario("checkout-bad-deploy")))
    finally:
        app.shutdown()
        root.removeHandler(out)
        root.setLevel(saved)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    engine_lines = [line for line in lines if line["logger"] == "nightowl.workflow.engine"]
    started = [line["stage"] for line in engine_lines if str(line["message"]).endswith("started")]
    assert started[:3] == ["triage", "gather", "analyze"]
    assert "report" in started
    assert {line["incident_id"] for line in engine_lines} == {incident.id}
    during = [line for line in lines if line["stage"] is not None]
    assert all(line["incident_id"] == incident.id for line in during)
