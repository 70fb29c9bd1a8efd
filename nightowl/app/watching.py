"""Running the configured watchers: build each once, run it on the process's connectors, track
what it found, pass the new findings on (``app/findings.py``), and audit the run.

The scheduled runs (``workflow/watch.py``) and ``nightowl watch run`` both come here, so a run
from the CLI is the same as a scheduled one. Every run is audited (``watch.run``: the counts,
the error, what was routed) under the name of who asked (``scheduler`` for a tick).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from nightowl.app.findings import pricing, route
from nightowl.domain.findings import WatchRun
from nightowl.settings import WatcherConfig
from nightowl.watchers.build import build, config_of
from nightowl.watchers.protocol import WatchContext, Watcher
from nightowl.watchers.run import run_watcher

if TYPE_CHECKING:
    from nightowl.app.nightowl import Nightowl

SCHEDULER = "scheduler"
"""The actor of a scheduled run in the audit trail."""


class Watching:
    """The watchers of one process. Builds each lazily (a watcher with bad options fails its own
    runs with a ConfigError, not the server's start); safe to share between tasks."""

    def __init__(self, app: Nightowl) -> None:
        self.app = app
        self._built: dict[str, Watcher] = {}

    def watcher(self, name: str) -> Watcher:
        """The watcher named ``name``; NotFoundError when none is configured, ConfigError for bad
        options."""
        if name not in self._built:
            self._built[name] = build(config_of(self.app.settings, name), self.app.settings)
        return self._built[name]

    async def run(
        self, name: str, at: datetime | None = None, *, actor: str = SCHEDULER
    ) -> WatchRun:
        """Run the watcher ``name`` once (at ``at``, default now), route its new findings, audit."""
        config = config_of(self.app.settings, name)
        return await self.run_config(config, self.watcher(name), at, actor=actor)

    async def run_config(
        self, config: WatcherConfig, watcher: Watcher, at: datetime | None = None, *, actor: str
    ) -> WatchRun:
        """Run ``watcher`` as configured by ``config`` (a configured one, or one the CLI made
        for a single check on files), route its new findings, audit the run."""
        ctx = WatchContext(
            now=at or self.app.clock.now(),
            settings=self.app.settings,
            sources=self.app.reads,
            pricing=pricing(self.app),
        )
        done = await run_watcher(
            watcher, ctx, self.app.stores.findings, timeout=config.timeout_seconds
        )
        routed = await route(self.app, config, done, actor=actor)
        done = done.model_copy(update={"routed": tuple(routed)})
        data: dict[str, object] = {"watcher": config.name, "at": done.at.isoformat()}
        data |= {"new": len(done.new), "seen": len(done.findings), "fixed": len(done.fixed)}
        data |= {"error": done.error, "routed": routed}
        self.app.records.audit("watch.run", data, actor=actor)
        return done

    async def scheduled(self, name: str, at: datetime) -> str:
        """The scheduled tick's run (``workflow/watch.py``): its one-line summary."""
        done = await self.run(name, at)
        return summary(done)


def summary(done: WatchRun) -> str:
    """One line about a run: what it found, what is fixed, what it routed, or why it failed."""
    if done.error:
        return f"{done.watcher}: could not look: {done.error}"
    line = f"{done.watcher}: {len(done.findings)} finding(s), {len(done.new)} new, "
    line += f"{len(done.fixed)} fixed"
    return line + (f"; {len(done.routed)} routed" if done.routed else "")
