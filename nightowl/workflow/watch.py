"""Watchers on DBOS: one durable schedule per configured watcher, one workflow per scheduled run.

``apply`` writes the schedules of the ``watchers`` settings into DBOS's system database (DBOS
3.4's dynamic schedules: ``DBOS.apply_schedules``; the cron gets a leading ``0`` seconds field)
and deletes the schedules of watchers no longer configured. DBOS's scheduler starts
``nightowl.watcher`` at each tick with a workflow id derived from the schedule and the time, so
two servers on one database run a tick once, and a run cut short by a crash is recovered: its
step runs again, which is harmless because tracking a run's findings is idempotent.

As with the incident workflow, DBOS calls the workflow and its step by name, so they cannot take
the application as an argument: the composition root binds a ``WatchRunner`` (``bind_runner``)
before DBOS launches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from dbos import DBOS, ScheduleInput

from nightowl.errors import ConfigError
from nightowl.logs import incident_context
from nightowl.settings import WatcherConfig

PREFIX = "nightowl.watch."
"""The name of every schedule nightowl owns starts so (the rest is the watcher's name)."""

WatchRunner = Callable[[str, datetime], Awaitable[str]]
"""Runs the named watcher at the scheduled time; returns a one-line summary (DBOS records it)."""

_runner: WatchRunner | None = None


def bind_runner(runner: WatchRunner | None) -> None:
    """Bind the process's watcher runner (the composition root does this before DBOS launches)."""
    global _runner
    _runner = runner


def schedule_name(watcher: str) -> str:
    """The DBOS schedule of the watcher named ``watcher``."""
    return PREFIX + watcher


def schedules(watchers: Sequence[WatcherConfig]) -> list[ScheduleInput]:
    """The DBOS schedules of the enabled ``watchers`` (five-field cron → six, seconds first)."""
    return [
        {
            "schedule_name": schedule_name(w.name),
            "workflow_fn": watcher_workflow,
            "schedule": f"0 {w.schedule}",
            "context": w.name,
        }
        for w in watchers
        if w.enabled
    ]


def apply(watchers: Sequence[WatcherConfig]) -> list[str]:
    """Make DBOS's schedules those of ``watchers`` (DBOS launched); returns their names."""
    wanted = schedules(watchers)
    names = {s["schedule_name"] for s in wanted}
    for existing in DBOS.list_schedules(schedule_name_prefix=PREFIX):
        if existing["schedule_name"] not in names:
            DBOS.delete_schedule(existing["schedule_name"])
    if wanted:
        DBOS.apply_schedules(wanted)
    return sorted(names)


@DBOS.step(name="nightowl.watch")
async def run_watch(name: str, at: str) -> str:
    """Run the watcher ``name`` for the tick ``at`` (ISO 8601)."""
    if _runner is None:
        raise ConfigError("the watcher runner is not bound: start nightowl through nightowl.app")
    return await _runner(name, datetime.fromisoformat(at))


@DBOS.workflow(name="nightowl.watcher")
async def watcher_workflow(scheduled: datetime, context: Any) -> None:
    """One scheduled run of the watcher named by the schedule's ``context``."""
    name = str(context)
    with incident_context(f"watcher:{name}"):
        await run_watch(name, scheduled.isoformat())
