"""IncidentStore: the incident spine on SQLite or PostgreSQL, read and written as domain models."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from nightowl.domain import (
    ActionResult,
    ActionSpec,
    Alert,
    Decision,
    Diagnosis,
    Evidence,
    Hypothesis,
    Incident,
    IncidentStatus,
    IncidentSummary,
    Model,
    Notification,
    Report,
    Severity,
    StageRecord,
    Triage,
    Verification,
    utc,
)
from nightowl.domain.intake import DeadLetter
from nightowl.errors import InputError, NotFoundError
from nightowl.store import dead_letters, rows
from nightowl.store.database import migrated_engine
from nightowl.store.revisions import checked_engine
from nightowl.store.sessions import Sessions, put_row, upsert
from nightowl.store.tables import (
    ActionRow,
    AlertRow,
    Base,
    DecisionRow,
    EvidenceRow,
    HypothesisRow,
    IncidentRow,
    NotificationRow,
    PlanItemRow,
    StageRunRow,
)

ALERTS_LOADED = 1000
"""Alert notifications an incident is read with, newest first: every stage reads the incident, and a
storm incident of 60,000 alerts took seconds per read (of the interpreter intake shares)."""

PREFIX_MATCHES_SHOWN = 10
"""How many incident ids an ambiguous prefix's error names (a prefix of one character matches all)."""


class AddAlertsResult(Model):
    """What ``add_alerts`` did: how many notifications were new and how many repeated a stored
    one.
    """

    new: int
    duplicates: int


class IncidentStore:
    """Incidents, their alerts and every stage's output, plus the dead-letter box.

    Thread-safe: each call runs in its own session and transaction, so one store may be shared
    by every thread of a process (and several processes may share the database). Stage saves
    replace what the same stage wrote before, so a re-run step is idempotent. Raises
    NotFoundError for an unknown incident and StoreError when the database cannot be used.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))
        self.sessions = Sessions(engine)
        self._write, self._read = self.sessions.write, self.sessions.read

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> IncidentStore:
        """A store on ``url`` with its schema migrated to the newest revision; ``migrate`` False:
        refuse (StoreError) a schema that is not there already (``store.migrate_on_open``)."""
        return cls(migrated_engine(url) if migrate else checked_engine(url))

    @property
    def engine(self) -> Engine:
        """The engine, for the stores of later concepts (audit, approvals, control) to share."""
        return self._engine

    def close(self) -> None:
        """Close the engine's pooled connections, the ones of the stores sharing it too (call once,
        at shutdown)."""
        self._engine.dispose()

    # intake

    def open_incident_for(self, correlation_key: str) -> str | None:
        """The newest incident with ``correlation_key`` that is not resolved, if any."""
        query = (
            select(IncidentRow.id)
            .where(IncidentRow.correlation_key == correlation_key)
            .where(IncidentRow.status != IncidentStatus.RESOLVED.value)
            .order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
            .limit(1)
        )
        with self._read() as session:
            return session.scalar(query)

    def backlog(self) -> tuple[int, datetime | None]:
        """How many incidents nightowl still owes work (open or investigating), and when the
        oldest of them was opened (None when there is none)."""
        waiting = (IncidentStatus.OPEN.value, IncidentStatus.INVESTIGATING.value)
        query = select(func.count(), func.min(IncidentRow.opened_at)).where(
            IncidentRow.status.in_(waiting)
        )
        with self._read() as session:
            count, oldest = session.execute(query).one()
        return int(count), None if oldest is None else utc(oldest)

    def create_incident(
        self,
        *,
        incident_id: str,
        correlation_key: str,
        title: str,
        service: str | None,
        severity: Severity | None,
        opened_at: datetime,
    ) -> bool:
        """Create an open incident; False (and nothing changes) if ``incident_id`` exists."""
        values = {
            "id": incident_id,
            "correlation_key": correlation_key,
            "title": title,
            "status": IncidentStatus.OPEN.value,
            "service": service,
            "severity": severity.value if severity else None,
            "opened_at": opened_at,
            "updated_at": self._clock(),
        }
        with self._write() as session:
            insert = upsert(session, IncidentRow).values(values)
            query = insert.on_conflict_do_nothing(index_elements=["id"]).returning(IncidentRow.id)
            return session.execute(query).first() is not None

    def add_alerts(
        self, incident_id: str, alerts: Sequence[Alert], received_at: datetime
    ) -> AddAlertsResult:
        """Record ``alerts`` on the incident, skipping any whose content hash it already has."""
        new = 0
        with self._write() as session:
            incident = _lock(session, incident_id)
            for alert in alerts:
                values = rows.alert_values(incident_id, alert, received_at)
                insert = upsert(session, AlertRow).values(values)
                query = insert.on_conflict_do_nothing(
                    index_elements=["incident_id", "content_hash"]
                ).returning(AlertRow.id)
                new += session.execute(query).first() is not None
            if new:
                incident.updated_at = self._clock()
        return AddAlertsResult(new=new, duplicates=len(alerts) - new)

    # reads

    def resolve(self, id_or_prefix: str) -> str:
        """The id of the one incident whose id is ``id_or_prefix`` or starts with it.

        An exact id wins over a longer id it prefixes. Raises NotFoundError when none matches and
        InputError, naming up to ``PREFIX_MATCHES_SHOWN`` matches, when several do.
        """
        wanted = id_or_prefix.strip()
        if not wanted:
            raise InputError("an incident id is empty; list them with `nightowl incidents list`")
        query = (
            select(IncidentRow.id)
            .where(func.substr(IncidentRow.id, 1, len(wanted)) == wanted)
            .order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
            .limit(PREFIX_MATCHES_SHOWN + 1)
        )
        with self._read() as session:
            if session.get(IncidentRow, wanted) is not None:
                return wanted
            found = list(session.scalars(query))
        if not found:
            raise _not_found(wanted)
        if len(found) > 1:
            shown = ", ".join(found[:PREFIX_MATCHES_SHOWN])
            more = " and more" if len(found) > PREFIX_MATCHES_SHOWN else ""
            raise InputError(
                f"{wanted!r} is the start of several incident ids ({shown}{more}); "
                "give more of the id"
            )
        return found[0]

    def get(self, incident_id: str) -> Incident:
        """The incident with every stage's record, and its newest ``ALERTS_LOADED`` alert
        notifications.

        ``alert_count`` tells the whole number. Raises NotFoundError for an unknown id. One read
        transaction, so the incident is consistent with itself even while a stage writes.
        """
        with self._read() as session:
            incident = session.get(IncidentRow, incident_id)
            if incident is None:
                raise _not_found(incident_id)
            children = rows.Children()
            newest = (
                select(AlertRow)
                .where(AlertRow.incident_id == incident_id)
                .order_by(AlertRow.id.desc())
                .limit(ALERTS_LOADED)
            )
            children.alerts = list(reversed(session.scalars(newest).all()))
            children.alert_count = session.scalar(
                select(func.count())
                .select_from(AlertRow)
                .where(AlertRow.incident_id == incident_id)
            )
            children.stages = _children(session, StageRunRow, incident_id, StageRunRow.id)
            children.evidence = _children(session, EvidenceRow, incident_id, EvidenceRow.position)
            children.hypotheses = _children(
                session, HypothesisRow, incident_id, HypothesisRow.position
            )
            children.plan = _children(session, PlanItemRow, incident_id, PlanItemRow.position)
            children.decisions = _children(session, DecisionRow, incident_id, DecisionRow.position)
            children.actions = _children(session, ActionRow, incident_id, ActionRow.position)
            children.notifications = _children(
                session, NotificationRow, incident_id, NotificationRow.position
            )
            return rows.incident_from(incident, children)

    def list(
        self,
        *,
        limit: int = 50,
        status: IncidentStatus | None = None,
        service: str | None = None,
        since: datetime | None = None,
    ) -> builtins.list[IncidentSummary]:
        """Incidents, newest first, with how many alerts each has; only ``service``'s and those
        opened at or after ``since`` when given."""
        counts = (
            select(AlertRow.incident_id, func.count().label("n"))
            .group_by(AlertRow.incident_id)
            .subquery()
        )
        query = (
            select(IncidentRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.incident_id == IncidentRow.id)
            .order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(IncidentRow.status == status.value)
        if service is not None:
            query = query.where(IncidentRow.service == service)
        if since is not None:
            query = query.where(IncidentRow.opened_at >= since)
        with self._read() as session:
            return [rows.summary_from(row, count) for row, count in session.execute(query)]

    # stage results

    def set_status(self, incident_id: str, status: IncidentStatus) -> None:
        """Move the incident to ``status`` (no transition is refused here: the workflow owns the
        order).
        """
        with self._write() as session:
            self._touch(session, incident_id).status = status.value

    def resolve_if(self, incident_id: str, allowed: frozenset[IncidentStatus]) -> IncidentStatus:
        """Resolve the incident if its status is in ``allowed``; return the status it had. The
        row is locked while deciding, so two people closing it at once resolve it once."""
        with self._write() as session:
            row = self._touch(session, incident_id)
            was = IncidentStatus(row.status)
            if was in allowed:
                row.status = IncidentStatus.RESOLVED.value
            return was

    def record_stage(
        self, incident_id: str, record: StageRecord, attempt: int | None = None
    ) -> None:
        """Upsert one attempt of ``record.stage``: ``attempt`` if given, else ``record.attempt``."""
        attempt = record.attempt if attempt is None else attempt
        if attempt < 1:
            raise ValueError(f"attempt counts from 1, got {attempt}")
        values = rows.stage_values(record)
        keys = {"incident_id": incident_id, "stage": record.stage.value, "attempt": attempt}
        with self._write() as session:
            self._touch(session, incident_id)
            put_row(session, StageRunRow, keys, values)

    def save_triage(self, incident_id: str, triage: Triage) -> None:
        """Store the triage and copy its category, severity and (when known) service."""
        data = rows.dump(triage)
        with self._write() as session:
            incident = self._touch(session, incident_id)
            incident.triage = data
            incident.category = triage.category.value
            incident.severity = triage.severity.value
            if triage.service is not None:
                incident.service = triage.service

    def save_evidence(self, incident_id: str, evidence: Sequence[Evidence]) -> None:
        """Replace the incident's evidence with ``evidence``, in order; ids must be unique
        (ValueError).
        """
        self._replace(incident_id, EvidenceRow, rows.evidence_rows(incident_id, evidence))

    def save_hypotheses(self, incident_id: str, hypotheses: Sequence[Hypothesis]) -> None:
        """Replace the incident's hypotheses with ``hypotheses``, in order (a re-run replaces,
        not adds).
        """
        self._replace(incident_id, HypothesisRow, rows.hypothesis_rows(incident_id, hypotheses))

    def save_diagnosis(self, incident_id: str, diagnosis: Diagnosis) -> None:
        """Store the diagnosis, replacing an earlier one (a re-diagnosis round overwrites it)."""
        data = rows.dump(diagnosis)
        with self._write() as session:
            self._touch(session, incident_id).diagnosis = data

    def save_plan(self, incident_id: str, plan: Sequence[ActionSpec]) -> None:
        """Replace the incident's remediation plan with ``plan``, in order."""
        self._replace(incident_id, PlanItemRow, rows.plan_rows(incident_id, plan))

    def save_decisions(self, incident_id: str, decisions: Sequence[Decision]) -> None:
        """Replace the gate's decisions on the plan with ``decisions``, in order."""
        self._replace(incident_id, DecisionRow, rows.decision_rows(incident_id, decisions))

    def save_action(self, incident_id: str, result: ActionResult) -> None:
        """Insert or replace the action with ``result.idempotency_key`` (keys are global)."""
        values: dict[str, Any] = {
            "kind": result.kind,
            "service": result.service,
            "status": result.status.value,
            "body": rows.dump(result),
        }
        with self._write() as session:
            self._touch(session, incident_id)
            position = session.scalar(
                select(func.count()).where(ActionRow.incident_id == incident_id)
            )
            put_row(
                session,
                ActionRow,
                {"idempotency_key": result.idempotency_key},
                values,
                on_insert={"incident_id": incident_id, "position": position or 0},
            )

    def find_action(self, idempotency_key: str) -> ActionResult | None:
        """The action executed under ``idempotency_key`` in any incident, None if none was: how a
        driver re-run after a crash knows the write already happened.
        """
        query = select(ActionRow.body).where(ActionRow.idempotency_key == idempotency_key)
        with self._read() as session:
            body = session.scalar(query)
        return None if body is None else ActionResult.model_validate(body)

    def save_verification(self, incident_id: str, verification: Verification) -> None:
        """Store verify's verdict, replacing an earlier one (each round's verification overwrites
        the last).
        """
        data = rows.dump(verification)
        with self._write() as session:
            self._touch(session, incident_id).verification = data

    def save_report(self, incident_id: str, report: Report) -> None:
        """Store the report and its path (``report_path``)."""
        data = rows.dump(report)
        with self._write() as session:
            incident = self._touch(session, incident_id)
            incident.report = data
            incident.report_path = report.path

    def add_notification(self, incident_id: str, notification: Notification) -> None:
        """Append ``notification`` to the incident's log; failed deliveries are kept too (``ok``
        False).
        """
        data = rows.dump(notification)
        with self._write() as session:
            self._touch(session, incident_id)
            position = session.scalar(
                select(func.count()).where(NotificationRow.incident_id == incident_id)
            )
            row = NotificationRow(
                incident_id=incident_id,
                position=position or 0,
                channel=notification.channel,
                ok=notification.ok,
                sent_at=notification.sent_at,
                body=data,
            )
            session.add(row)

    # dead letters: nothing is ever lost

    def dead_letter(
        self,
        *,
        source: str,
        reason: str,
        body: bytes,
        content_type: str | None,
        headers: Mapping[str, str],
        received_at: datetime,
        sender: str,
        cap: dead_letters.DeadLetterCap,
    ) -> dead_letters.Kept:
        """Keep an inbound body nightowl could not use, within ``cap``; its id for replay."""
        with self._write() as session:
            return dead_letters.add(
                session,
                source=source,
                reason=reason,
                body=body,
                content_type=content_type,
                headers=headers,
                received_at=received_at,
                sender=sender,
                cap=cap,
            )

    def list_dead_letters(self, *, limit: int = 100) -> builtins.list[DeadLetter]:
        """Dead letters, newest first."""
        with self._read() as session:
            return dead_letters.newest(session, limit)

    def get_dead_letter(self, dead_letter_id: int) -> DeadLetter:
        """One dead letter; NotFoundError names the command that lists them."""
        with self._read() as session:
            return dead_letters.get(session, dead_letter_id)

    def purge_dead_letters(self, before: datetime) -> int:
        """Drop the dead letters received before ``before``; how many."""
        with self._write() as session:
            return dead_letters.purge(session, before)

    def mark_replayed(self, dead_letter_id: int, at: datetime) -> None:
        """Mark a dead letter as replayed at ``at`` (it stays stored); NotFoundError for an
        unknown id.
        """
        with self._write() as session:
            dead_letters.mark_replayed(session, dead_letter_id, at)

    # plumbing

    def _touch(self, session: Session, incident_id: str) -> IncidentRow:
        incident = _lock(session, incident_id)
        incident.updated_at = self._clock()
        return incident

    def _replace(self, incident_id: str, table: type[Base], new_rows: Sequence[Base]) -> None:
        with self._write() as session:
            self._touch(session, incident_id)
            session.execute(delete(table).where(table.__table__.c.incident_id == incident_id))
            session.add_all(new_rows)


def _lock(session: Session, incident_id: str) -> IncidentRow:
    """The incident's row, locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
    incident = session.get(IncidentRow, incident_id, with_for_update=True)
    if incident is None:
        raise _not_found(incident_id)
    return incident


def _not_found(incident_id: str) -> NotFoundError:
    return NotFoundError(f"no incident {incident_id!r}; list them with `nightowl incidents list`")


def _children(session: Session, table: type[Any], incident_id: str, order: Any) -> list[Any]:
    query = select(table).where(table.incident_id == incident_id).order_by(order, table.id)
    return list(session.scalars(query))
