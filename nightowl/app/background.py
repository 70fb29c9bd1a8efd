"""What a serving process runs beside its requests: the intake writer, the group dispatcher, the
audit anchoring and verification, the knowledge graph's refresh, the replica prices read from
OpenCost (``cost.runtime``) and, on workers, the heartbeat
that notices a dead worker and recovers its workflows; and the deploys the refresh discovers
get their canary analysis. Started and stopped by the server's
lifespan (``Nightowl.start_background`` / ``stop_background``)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import nightowl
from nightowl.app.findings import pricing
from nightowl.domain import Deploy
from nightowl.errors import NightowlError
from nightowl.store.workers import WorkerRegistry
from nightowl.watchers import runtime_prices
from nightowl.workflow.recovery import Recovery

if TYPE_CHECKING:
    from nightowl.app.nightowl import Nightowl

log = logging.getLogger(__name__)


class Background:
    """The background tasks of one ``Nightowl``; each started once, all stopped in order."""

    def __init__(self, app: Nightowl) -> None:
        self.app = app
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.beating: tuple[threading.Thread, threading.Event] | None = None
        self.runtime_costs = runtime_prices.source_of(app.settings)

    async def start(self) -> None:
        """Start everything (idempotent); the configuration served with goes on the audit trail."""
        app, settings = self.app, self.app.settings
        await asyncio.to_thread(self._audit_config)
        app.intake.start()
        self._task("nightowl-dispatcher", app.dispatcher.run())
        self._task("nightowl-audit-anchor", self._anchor_periodically())
        if self.beating is None and settings.cluster.role != "api":
            stop = threading.Event()
            beat = threading.Thread(
                target=self._recovery().run, args=(stop,), name="nightowl-heartbeat", daemon=True
            )
            beat.start()
            self.beating = (beat, stop)
        if settings.audit.verify_seconds > 0:
            self._task("nightowl-audit-verify", self._verify_periodically())
        if settings.graph.refresh_seconds > 0:
            self._task("nightowl-graph-refresh", self._refresh_periodically())
        if self.runtime_costs is not None:
            self._task("nightowl-runtime-prices", self._price_periodically())

    def _task(self, name: str, work: Coroutine[Any, Any, None]) -> None:
        if name in self.tasks:
            work.close()
            return
        self.tasks[name] = asyncio.get_running_loop().create_task(work, name=name)

    async def stop(self) -> None:
        """Stop the heartbeat and the dispatcher, drain the intake writer, cancel the loops and
        anchor the audit head one last time."""
        if self.beating is not None:
            beat, stop = self.beating
            stop.set()
            await asyncio.to_thread(beat.join, 30)
            self.beating = None
        await self._cancel("nightowl-dispatcher")
        await self.app.intake.stop()
        for name in list(self.tasks):
            await self._cancel(name)
        await asyncio.to_thread(self.app.anchor_audit)

    async def _cancel(self, name: str) -> None:
        task = self.tasks.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _recovery(self) -> Recovery:
        """This worker's heartbeat, and its watch over the others (``workflow/recovery.py``)."""
        app = self.app

        def audit(dead: str, workflows: list[str]) -> None:
            data = {"executor_id": dead, "workflows": workflows, "by": app.executor_id}
            app.records.audit("cluster.recovered", data, actor="nightowl")

        registry = WorkerRegistry(app.store.engine)
        return Recovery(registry, app.settings.cluster, app.executor_id, app.wall.now, audit)

    def _audit_config(self) -> None:
        """``config.loaded``: which configuration is in force (secrets masked before hashing)."""
        settings = self.app.settings
        effective = settings.model_dump_json().encode()
        self.app.records.audit(
            "config.loaded",
            {
                "version": nightowl.__version__,
                "fingerprint": hashlib.sha256(effective).hexdigest(),
                "dry_run": settings.actions.dry_run,
                "data_dir": str(settings.data_dir),
            },
            actor="nightowl",
        )

    async def _anchor_periodically(self) -> None:
        """Anchor the audit head outside the database every ``audit.anchor_seconds`` it moved."""
        while True:
            await asyncio.sleep(self.app.settings.audit.anchor_seconds)
            await asyncio.to_thread(self.app.anchor_audit)

    async def _verify_periodically(self) -> None:
        """Verify the audit trail every ``audit.verify_seconds`` (the outcome on /metrics); a
        failed check is logged as an error, a store that cannot be read retried."""
        while True:
            await asyncio.sleep(self.app.settings.audit.verify_seconds)
            try:
                check = await asyncio.to_thread(self.app.records.audit_check)
                if not check.ok:
                    log.error("the audit trail failed verification: %s", check.reason)
            except NightowlError as exc:  # the next tick tries again
                log.warning("the audit trail was not verified: %s", exc)

    async def _refresh_periodically(self) -> None:
        """Refresh the graph at start and every ``graph.refresh_seconds``; a failing source is
        logged and its edges stay as they were."""
        while True:
            try:
                for result in await self.app.refresh_graph():
                    if result.error:
                        log.warning(
                            "graph refresh from %s (%s): %s",
                            result.source,
                            result.kind,
                            result.error,
                        )
            except NightowlError as exc:  # the store: the next tick tries again
                log.warning("the knowledge graph was not refreshed: %s", exc)
            await asyncio.sleep(self.app.settings.graph.refresh_seconds)

    async def _price_periodically(self) -> None:
        """Read the replica prices from OpenCost at start and every
        ``cost.runtime_refresh_seconds``; a failed read keeps the prices read before."""
        assert self.runtime_costs is not None
        table, settings = pricing(self.app), self.app.settings
        while True:
            try:
                count = await runtime_prices.refresh(table, self.runtime_costs, settings)
                log.info("replica prices of %d workloads read from OpenCost", count)
            except NightowlError as exc:
                log.warning("replica prices were not read from OpenCost: %s", exc)
            await asyncio.sleep(settings.cost.runtime_refresh_seconds)

    async def discovered(self, found: list[Deploy]) -> None:
        """Deploys a deploy source found (Argo CD, GitHub, Kubernetes rollouts) that nobody
        pushed: recorded like a pushed one, so each recent one gets its canary analysis once.

        Recent: within one analysis span (``canary.interval_seconds × count``) — an older deploy
        is history, not a canary. A version already recorded for the service (pushed by CI with
        its own timestamp) is not analysed a second time.
        """
        now = self.app.clock.now()
        span = timedelta(
            seconds=self.app.settings.canary.interval_seconds * self.app.settings.canary.count
        )
        for deploy in found:
            if deploy.at < now - span or deploy.at > now:
                continue
            known = await asyncio.to_thread(
                self.app.records.deploys, deploy.service, deploy.at - timedelta(days=1), now
            )
            if any(k.version == deploy.version for k in known):
                continue
            await self.app.record_deploy(deploy, "discovered")
