"""``nightowl approvals list`` on a real store: whole ids on a narrow terminal, text as written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.domain import ActionSpec, ApprovalRequest
from nightowl.domain.remediation import Risk
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from tests.store.samples import T0, make_incident

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_TOKEN": None,
    "COLUMNS": "80",
}


def test_the_list_shows_whole_ids_and_text_as_written(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'nightowl.sqlite'}")
    make_incident(store, "inc-3546a1b2c3d4")
    action = ActionSpec(
        kind="rollback", service="checkout", params={"to_version": "v2.4.0"},
        runbook="bad-deploy", risk=Risk.HIGH, reason="the deploy broke it",
        rollback="redeploy [v2.4.1]", idempotency_key="inc-3546a1b2c3d4-r0-rollback-0",
    )  # fmt: skip
    ApprovalStore(store.engine).open(
        ApprovalRequest(
            id="apr-inc-3546a1b2c3d4-r0",
            incident_id="inc-3546a1b2c3d4",
            service="checkout",
            action=action,
            plan=action.describe(),
            rollback=action.rollback,
            diagnosis="bad deploy",
            requested_at=T0,
            expires_at=T0 + timedelta(hours=1),
        )
    )
    store.close()

    narrow, wide = (
        CliRunner().invoke(
            app, ["approvals", "list", "--data-dir", str(tmp_path)], env=CLEAN_ENV | columns
        )
        for columns in ({"COLUMNS": "80"}, {"COLUMNS": "300"})
    )

    assert narrow.exit_code == wide.exit_code == 0, narrow.output
    assert "apr-inc-3546a1b2c3d4-r0" in narrow.stdout
    assert "inc-3546a1b2c3d4" in narrow.stdout
    assert "redeploy [v2.4.1]" in wide.stdout
    assert "rollback checkout (to_version=v2.4.0)" in wide.stdout
