"""The sandbox driver's ``cleanup_disk``: dry run, pre-state, the real deletion, and its rollback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from nightowl_lab.sandbox.driver import SandboxConfig, SandboxDriver

from nightowl.domain import ActionSpec, ActionStatus, Risk


def _spec(key: str) -> ActionSpec:
    return ActionSpec(
        kind="cleanup_disk",
        service="checkout",
        runbook="clean-disk-full",
        risk=Risk.LOW,
        reason="disk full",
        rollback="nothing to undo",
        idempotency_key=key,
    )


def test_cleanup_disk_deletes_only_the_dump_files(tmp_path: Path) -> None:
    (tmp_path / "shop.json").write_text(json.dumps({"checkout": {"name": "checkout", "port": 1}}))
    volume = tmp_path / "disk" / "checkout"
    (volume / "tmp").mkdir(parents=True)
    (volume / "orders.log").write_bytes(b"r" * 100)
    for i in range(3):
        (volume / "tmp" / f"export-{i}.dump").write_bytes(b"\0" * 1000)
    driver = SandboxDriver("shop", SandboxConfig(directory=tmp_path))

    dry = asyncio.run(driver.apply(_spec("k1"), dry_run=True))
    assert dry.status is ActionStatus.DRY_RUN
    assert "3 dump file(s)" in dry.message
    assert len(list((volume / "tmp").iterdir())) == 3

    done = asyncio.run(driver.apply(_spec("k2"), dry_run=False))
    assert done.status is ActionStatus.SUCCEEDED
    assert done.pre_state.facts["disk_used"] == 3100
    assert done.post_state.facts["disk_used"] == 100
    assert not list((volume / "tmp").iterdir())
    assert (volume / "orders.log").exists()

    undone = asyncio.run(driver.rollback(done))
    assert "cannot be undone" in undone.message
