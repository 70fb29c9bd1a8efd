"""The intake service: batch notifications into few transactions, flush due groups.

``submit`` is called once per webhook request. Requests arriving together are written in one
transaction (group commit): a request waits at most ``batch_wait_ms`` for company and returns once
its alerts are durable — nothing is acknowledged before it is stored. When a batch fails, each of
its requests is written again in a transaction of its own, so that only the request that caused
the failure sees it. Concurrency: one writer task
per process; several processes may share a database (the store serialises them).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nightowl.domain import Alert, AlertGroup, AlertState, IntakeCounts, Matcher, Silence
from nightowl.domain.base import Model
from nightowl.domain.intake import FlushResult, GroupTiming, IngestOutcome
from nightowl.intake.absorb import absorb, group_key_of, group_labels
from nightowl.intake.inhibit import compile_rules
from nightowl.intake.plan import STORM_COUNT_CAP, planner
from nightowl.settings import IntakeSettings
from nightowl.store.groups import GroupStore
from nightowl.store.silences import SilenceStore


class IntakeResult(Model):
    """What a webhook request did, as answered to the sender."""

    incident_id: str | None
    incidents: tuple[str, ...] = ()
    created: bool = False
    received: int = 0
    new_alerts: int = 0
    updated: int = 0
    duplicates: int = 0
    detail: str = ""


@dataclass(frozen=True)
class Submitted:
    counts: IntakeCounts
    incidents: frozenset[str]
    all_resolved: frozenset[str]
    due_groups: tuple[str, ...]


@dataclass
class _Pending:
    alerts: list[Alert]
    done: asyncio.Future[tuple[IngestOutcome, int]]


def _fail(pending: _Pending, exc: Exception) -> None:
    if not pending.done.done():
        pending.done.set_exception(exc)


class Intake:
    def __init__(
        self,
        settings: IntakeSettings,
        groups: GroupStore,
        silences: SilenceStore,
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.groups = groups
        self.silence_store = silences
        self.now = now
        self._plan = planner(settings, compile_rules(settings.inhibit_rules))
        self._timing = GroupTiming(
            wait=timedelta(seconds=settings.group_wait_seconds),
            interval=timedelta(seconds=settings.group_interval_seconds),
        )
        self._queue: asyncio.Queue[_Pending] | None = None
        self._writer: asyncio.Task[None] | None = None

    # -- silences ----------------------------------------------------------------------------

    def add_silence(
        self,
        matchers: tuple[Matcher, ...],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
    ) -> Silence:
        silence = Silence.new(matchers, starts_at, ends_at, created_by, comment, self.now())
        self.silence_store.add(silence)
        return silence

    def expire_silence(self, silence_id: str) -> Silence:
        return self.silence_store.expire(silence_id, self.now())

    # -- ingestion -----------------------------------------------------------------------------

    def ingest_now(self, alerts: list[Alert]) -> IngestOutcome:
        """Write one batch synchronously (used by the writer task, replays and tests). The
        silences are read in the batch's own transaction, from the database (never a
        per-process copy: a silence added on one replica holds on every replica's next alert)."""
        now = self.now()
        group_by = self.settings.group_by

        def decide(
            alert: Alert, previous: AlertState | None, silences: Sequence[Silence]
        ) -> tuple[AlertState, str, dict[str, str]]:
            state, verdict, labels = absorb(alert, previous, now, self.settings, silences)
            return state, verdict.value, labels

        def group_of(alert: Alert) -> str:
            return group_key_of(group_labels(alert.labels, group_by))

        return self.groups.ingest(alerts, now, decide, group_of, self._timing)

    async def submit(self, group: AlertGroup) -> Submitted:
        if self._queue is None:
            self.start()
        assert self._queue is not None
        pending = _Pending(list(group.alerts), asyncio.get_running_loop().create_future())
        await self._queue.put(pending)
        outcome, offset = await pending.done
        verdicts = outcome.verdicts[offset : offset + len(pending.alerts)]
        counts = IntakeCounts(
            received=len(verdicts),
            new=verdicts.count("new"),
            updated=verdicts.count("updated"),
            duplicates=verdicts.count("duplicate"),
        )
        attached = {
            outcome.incident_of[a.fingerprint]
            for a in pending.alerts
            if a.fingerprint in outcome.incident_of
        }
        return Submitted(
            counts=counts,
            incidents=frozenset(attached),
            all_resolved=frozenset(outcome.all_resolved),
            due_groups=tuple(outcome.due_groups),
        )

    def start(self) -> None:
        if self._writer is None:
            self._queue = asyncio.Queue()
            self._writer = asyncio.get_running_loop().create_task(
                self._write_loop(), name="nightowl-intake-writer"
            )

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer, self._queue = None, None

    async def _write_loop(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0].alerts)
            deadline = time.monotonic() + self.settings.batch_wait_ms / 1000
            while size < self.settings.batch_max:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self._queue.get(), timeout)
                except TimeoutError:
                    break
                batch.append(item)
                size += len(item.alerts)
            await self._write(batch)

    async def _write(self, batch: list[_Pending]) -> None:
        alerts = [a for p in batch for a in p.alerts]
        try:
            outcome = await asyncio.to_thread(self.ingest_now, alerts)
        except Exception as exc:  # noqa: BLE001 — handed to the waiting requests, which answer with it
            if len(batch) == 1:
                _fail(batch[0], exc)
            else:  # one bad request must not fail the others: write each in its own transaction
                for p in batch:
                    await self._write([p])
            return
        offset = 0
        for p in batch:
            if not p.done.done():
                p.done.set_result((outcome, offset))
            offset += len(p.alerts)

    # -- flushing ------------------------------------------------------------------------------

    def flush(self, group_key: str, recent: int | None = None) -> FlushResult | None:
        """Flush one group if due (``recent``: the storm count of this cycle, when counted)."""
        return self.groups.flush(
            group_key,
            self.now(),
            self._plan,
            timedelta(seconds=self.settings.repeat_interval_seconds),
            timedelta(minutes=self.settings.correlation_window_minutes),
            inhibits=bool(self.settings.inhibit_rules),
            recent_cap=self._storm_cap,
            recent=recent,
        )

    @property
    def _storm_cap(self) -> int:
        return STORM_COUNT_CAP * self.settings.storm_alerts_per_minute

    def flush_due(self, limit: int = 100) -> list[FlushResult]:
        """Flush the groups that are due, at most ``limit``, counting the storm once for them all
        (the count is at most one cycle old for the last of them), then the repeat reminders."""
        now = self.now()
        results: list[FlushResult] = []
        if due := self.groups.due(now, limit):
            recent = self.groups.recent_alerts(now, self._storm_cap)
            results = [r for key in due if (r := self.flush(key, recent)) is not None]
        return results + self.groups.repeats(
            now, timedelta(seconds=self.settings.repeat_interval_seconds)
        )
