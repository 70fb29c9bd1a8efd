"""Command groups that installed distributions add to ``nightowl`` (entry-point group
``nightowl.commands``).

Each entry point names a function ``register(app: typer.Typer) -> None`` that adds its commands;
nightowl-lab adds ``demo``, ``eval``, ``bench``, ``scenarios`` and ``sandbox`` this way, so the
product never imports the lab and the commands are simply absent without it. ``register`` should
add them with ``nightowl.cli.lazy.add_lazy`` (module and help line, imported when the command runs)
so that ``nightowl --help`` stays fast; ``app.add_typer``/``app.command`` work too. A plugin that
fails to load is skipped with a warning on stderr: a broken extra must not take ``nightowl serve``
down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points

import typer

GROUP = "nightowl.commands"
log = logging.getLogger(__name__)


def add_plugin_commands(app: typer.Typer) -> list[str]:
    """Let every installed ``nightowl.commands`` plugin register its commands; their names."""
    added: list[str] = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            register: Callable[[typer.Typer], None] = ep.load()
            register(app)
        except Exception as exc:  # noqa: BLE001 — any failure of a plugin leaves the rest usable
            log.warning("skipping the %r commands of %s: %s", ep.name, ep.value, exc)
            continue
        added.append(ep.name)
    return added
