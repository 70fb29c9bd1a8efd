"""The application object: serving records the configuration in force and anchors the audit head,
start to stop; what it leaves on disk is private to its user."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi.testclient import TestClient

import nightowl
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.settings import Settings
from nightowl.store.audit_anchor import AnchorFile
from tests.conftest import SettingsFactory, make_settings


def test_serving_audits_the_config_and_anchors_the_head_at_shutdown(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    app = Nightowl(settings_for(tmp_path, audit={"anchor_every": 1000}))
    with TestClient(create_api(app, manage_lifecycle=True)) as client:
        assert client.get("/healthz").status_code == 200
    [loaded] = [r for r in app.audit.records() if r.kind == "config.loaded"]
    assert loaded.actor == "nightowl"
    assert len(loaded.data["fingerprint"]) == 64
    anchors = AnchorFile(app.settings.audit_anchor_file).read()
    assert anchors.newest is not None
    assert anchors.newest.seq == loaded.seq
    assert anchors.newest.mac == loaded.hash


def test_while_serving_the_head_is_anchored_every_anchor_seconds(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    app = Nightowl(settings_for(tmp_path, audit={"anchor_every": 1000, "anchor_seconds": 0.2}))
    anchors = AnchorFile(app.settings.audit_anchor_file)
    with TestClient(create_api(app, manage_lifecycle=True)):
        record = app.records.audit("silence.added", {"silence": "s-1"}, actor="alice")
        deadline = time.monotonic() + 20
        while (newest := anchors.read().newest) is None or newest.seq < record.seq:
            assert time.monotonic() < deadline, "the head was not anchored while serving"
            time.sleep(0.05)
    assert newest.mac == record.hash


def test_every_database_file_in_the_data_dir_is_0600_under_umask_022(settings: Settings) -> None:
    previous = os.umask(0o022)
    try:
        app = Nightowl(settings)
        try:
            app.launch()  # DBOS creates its system database (workflows.sqlite) here
            found = {
                p.name: p.stat().st_mode & 0o777
                for p in settings.data_dir.iterdir()
                if ".sqlite" in p.name
            }
        finally:
            app.shutdown()
    finally:
        os.umask(previous)
    assert {"nightowl.sqlite", "workflows.sqlite"} <= set(found)
    assert found == dict.fromkeys(found, 0o600)


def test_a_pinned_application_version_is_what_dbos_runs_under(tmp_path: Path) -> None:
    """During a rolling upgrade every replica is pinned to the old version, so DBOS recovers the
    old code's workflows on the old code (and a new replica does not claim them)."""
    from dbos._utils import GlobalParams  # where DBOS keeps the version it stamps and recovers

    pinned = make_settings(tmp_path, store={"application_version": "2026.12-roll"})
    app = Nightowl(pinned)
    try:
        app.launch()
        assert GlobalParams.app_version == "2026.12-roll"
    finally:
        app.shutdown()
    app = Nightowl(make_settings(tmp_path / "default"))
    try:
        app.launch()
        assert GlobalParams.app_version == nightowl.__version__
    finally:
        app.shutdown()
