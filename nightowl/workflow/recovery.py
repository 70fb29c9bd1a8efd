"""Recovery across the cluster: workers beat, and a live one recovers a dead one's workflows.

Every worker process writes its heartbeat (``store/workers.py``) every
``cluster.heartbeat_seconds``. One that finds another silent for ``cluster.dead_after_seconds``
claims it (exactly one live worker gets the claim) and asks DBOS to recover the pending workflows
of that executor id. DBOS OSS does this without its commercial conductor: recovery puts each
pending workflow back on its own queue (``ENQUEUED``) only while the row still names the dead
executor, and the queue's atomic dequeue admits one runner, so a workflow is never run twice at
once. The workflow replays from its checkpoints: a completed stage returns its recorded outcome,
and the act stage skips an action the store holds under its key, so no step and no action is
done twice.

``DBOS._recover_pending_workflows`` is the DBOS 3.x entry point for exactly this (the one
Conductor calls); its leading underscore is DBOS's, and pyproject.toml bounds DBOS to >=3.4,<4.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from dbos import DBOS

from nightowl.settings import ClusterSettings
from nightowl.store.workers import WorkerRegistry

log = logging.getLogger(__name__)
Audit = Callable[[str, list[str]], None]
"""Records a recovery (the dead executor id, the workflows recovered) on the audit trail."""


class Recovery:
    """One worker's heartbeat and watch over the others; ``run`` is its background thread.

    A failing cycle (the database away) is logged and retried; the heartbeat simply resumes.
    """

    def __init__(
        self,
        registry: WorkerRegistry,
        settings: ClusterSettings,
        executor_id: str,
        now: Callable[[], datetime],
        audit: Audit,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.executor_id = executor_id
        self.now = now
        self.audit = audit
        self.host = socket.gethostname()
        self.recovered = 0

    def cycle(self) -> list[str]:
        """Beat once, then recover every worker silent for too long; the workflows recovered."""
        now = self.now()
        self.registry.beat(self.executor_id, self.settings.role, self.host, now)
        before = now - timedelta(seconds=self.settings.dead_after_seconds)
        recovered: list[str] = []
        for dead in self.registry.silent(before):
            if dead == self.executor_id or not self.registry.claim(dead, before):
                continue
            handles = DBOS._recover_pending_workflows([dead])
            ids = [h.get_workflow_id() for h in handles]
            log.warning("worker %s stopped beating: recovered %d workflow(s)", dead, len(ids))
            self.audit(dead, ids)
            recovered += ids
        self.recovered += len(recovered)
        return recovered

    def run(self, stop: threading.Event) -> None:
        """Beat and watch until ``stop`` is set, on a thread of its own: a busy event loop (a
        stage's analysis) must not silence a live worker. A worker that stops, even cleanly, keeps
        its row: DBOS leaves its unfinished workflows pending under its executor id, and only a
        peer finding it silent recovers them."""
        while not stop.is_set():
            try:
                self.cycle()
            except Exception:  # the database away: logged, and the next beat tries again
                log.exception("heartbeat or recovery cycle failed; retrying")
            stop.wait(self.settings.heartbeat_seconds)
