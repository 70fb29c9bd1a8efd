"""Fixtures of the UI tests (defined in ``world.py``, shared with the browser tests)."""

from tests.ui.world import world

__all__ = ["world"]
