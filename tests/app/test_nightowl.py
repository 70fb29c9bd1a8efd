"""The application object: what it leaves on disk is private to its user."""

from __future__ import annotations

import os

from nightowl.app import Nightowl
from nightowl.settings import Settings


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
