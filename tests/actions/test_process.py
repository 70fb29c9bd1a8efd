"""The local-process driver with real child processes, and systemd units through a stand-in
``systemctl`` (a script that records its calls)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from nightowl.actions.process import ProcessConfig, ProcessDriver, ProcessSpec
from nightowl.domain import ActionStatus
from tests.actions.conftest import action


def alive(pid: object) -> bool:
    try:
        os.kill(int(str(pid)), 0)
    except (ProcessLookupError, ValueError):
        return False
    return True


def supervisor(tmp_path: Path) -> ProcessDriver:
    loop = [sys.executable, "-c", "import time, sys; time.sleep(60)"]
    spec = ProcessSpec(
        versions={"v1": [*loop, "v1"], "v2": [*loop, "v2"]},
        pid_file=tmp_path / "app.pid",
        version_file=tmp_path / "app.version",
        stop_timeout_seconds=5,
    )
    return ProcessDriver("proc", ProcessConfig(services={"checkout": spec}), tmp_path / "state")


def test_restart_and_switch_to_the_previous_version(tmp_path: Path) -> None:
    driver = supervisor(tmp_path)

    async def main() -> None:
        first = await driver.apply(action("rollback", key="start", to_version="v2"), dry_run=False)
        pid_v2 = first.post_state.flat()["pid"]
        assert first.post_state.flat()["version"] == "v2"
        assert alive(pid_v2)

        dry = await driver.apply(action("restart", key="r"), dry_run=True)
        assert dry.status is ActionStatus.DRY_RUN
        assert (tmp_path / "app.pid").read_text() == str(pid_v2)

        restarted = await driver.apply(action("restart", key="r"), dry_run=False)
        assert restarted.pre_state.flat()["pid"] == pid_v2
        assert restarted.post_state.flat()["pid"] != pid_v2
        assert alive(restarted.post_state.flat()["pid"])
        assert not alive(pid_v2)
        again = await driver.apply(action("restart", key="r"), dry_run=False)
        assert again.message.startswith("already applied")

        back = await driver.apply(action("rollback", key="b"), dry_run=False)
        assert (back.pre_state.flat()["version"], back.post_state.flat()["version"]) == ("v2", "v1")
        undone = await driver.rollback(back)
        assert undone.post_state.flat()["version"] == "v2"
        assert alive(undone.post_state.flat()["pid"])
        os.kill(int(str(undone.post_state.flat()["pid"])), 9)

    asyncio.run(main())


def test_systemd_units_through_systemctl(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    fake = tmp_path / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    spec = ProcessSpec(
        systemd_units={"v1": "app@v1.service", "v2": "app@v2.service"},
        version_file=tmp_path / "app.version",
    )
    (tmp_path / "app.version").write_text('{"version": "v2", "previous": "v1"}')
    driver = ProcessDriver(
        "systemd", ProcessConfig(services={"checkout": spec}, systemctl=str(fake)), tmp_path
    )

    async def main() -> None:
        await driver.apply(action("restart", key="r"), dry_run=False)
        back = await driver.apply(action("rollback", key="b"), dry_run=False)
        assert back.post_state.flat()["version"] == "v1"

    asyncio.run(main())
    assert calls.read_text().splitlines() == [
        "restart app@v2.service",
        "stop app@v2.service",
        "start app@v1.service",
    ]
