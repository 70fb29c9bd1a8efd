"""Fixtures both test trees need (the product's ``tests/`` and the lab's ``lab/tests/``).

Everything else shared by the product's tests stays in ``tests/conftest.py``.
"""

from __future__ import annotations

import logging
import os

import pytest

# A Rich ``Console`` fixes its width when it is created if ``COLUMNS`` is set then, and reads it on
# every print otherwise. pytest-xdist's workers start with ``COLUMNS=80`` and ``LINES=24`` in their
# environment, so the CLI's consoles (``nightowl.cli.common``) would keep 80 columns whatever
# ``COLUMNS`` a test gives ``CliRunner``. A real CLI process reads its own terminal.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)


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
