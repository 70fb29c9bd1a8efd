"""Fixtures both test trees need (the product's ``tests/`` and the lab's ``lab/tests/``).

Everything else shared by the product's tests stays in ``tests/conftest.py``.
"""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(scope="session", autouse=True)
def dbos_logs_through_logging() -> None:
    """Route DBOS's log records through the root logger, where pytest captures them.

    On its first construction DBOS gives its logger a StreamHandler bound to the ``sys.stderr`` of
    that moment, unless the logger already has a handler. Inside ``CliRunner`` that stream is
    swapped in and closed afterwards, so every later launch in the session would fail writing to
    it; a handler of our own keeps DBOS from binding one, whatever test runs first.
    """
    dbos = logging.getLogger("dbos")
    if not dbos.handlers:
        dbos.addHandler(logging.NullHandler())
