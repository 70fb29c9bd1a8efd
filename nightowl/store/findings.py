"""Watchers' findings, tracked over time by fingerprint (``findings``).

``sweep`` records one run of one watcher in one transaction: a finding seen for the first time
(or again after it was fixed) is ``new``; seen again, ``open`` (its ``first_seen`` kept);
accepted, it stays ``accepted`` until its ``accepted_until`` passes, then ``open``; every active
or accepted finding of that watcher the run did not see becomes ``fixed``. Running the same
sweep twice changes nothing but ``last_seen``, so a retried scheduled run is harmless. State,
severity, watcher and times are columns for the lists and the KPIs; the finding is the body.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, Float, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from nightowl.domain.findings import Finding, FindingState
from nightowl.errors import InputError, NotFoundError
from nightowl.store.sessions import Sessions
from nightowl.store.tables import Base, UTCDateTime

LIST_LIMIT = 1000
"""The most findings one list returns."""
TRACKED = (FindingState.NEW, FindingState.OPEN, FindingState.ACCEPTED)


class FindingRow(Base):
    """One finding by fingerprint, with its whole history in four times."""

    __tablename__ = "findings"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    watcher: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    resource: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    accepted_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    monthly_cost_delta: Mapped[float | None] = mapped_column(Float(), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class FindingStore:
    """Findings on the shared database. Thread- and process-safe (each call one transaction);
    StoreError when the database cannot be used."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def sweep(
        self, watcher: str, found: Sequence[Finding], at: datetime
    ) -> tuple[builtins.list[Finding], builtins.list[Finding]]:
        """Record one run of ``watcher`` at ``at``: (the findings as tracked now, those it no
        longer saw and that are now fixed). A fingerprint given twice counts once."""
        unique = {f.fingerprint: f for f in found}
        with self.sessions.write() as session:
            rows = {
                r.fingerprint: r
                for r in session.scalars(select(FindingRow).where(FindingRow.watcher == watcher))
            }
            tracked = [
                _track(session, rows.get(key), finding, at) for key, finding in unique.items()
            ]
            fixed = [
                _fix(row, at)
                for key, row in rows.items()
                if key not in unique and FindingState(row.state) in TRACKED
            ]
        return tracked, fixed

    def list(
        self,
        *,
        watcher: str | None = None,
        states: Sequence[FindingState] = (),
        limit: int = LIST_LIMIT,
    ) -> builtins.list[Finding]:
        """Findings, most recently seen first; of one watcher and in ``states`` when given."""
        query = select(FindingRow).order_by(FindingRow.last_seen.desc(), FindingRow.fingerprint)
        if watcher is not None:
            query = query.where(FindingRow.watcher == watcher)
        if states:
            query = query.where(FindingRow.state.in_([s.value for s in states]))
        with self.sessions.read() as session:
            rows = session.scalars(query.limit(min(limit, LIST_LIMIT)))
            return [_finding(r) for r in rows]

    def get(self, fingerprint: str) -> Finding:
        """The finding with this fingerprint; NotFoundError when there is none."""
        with self.sessions.read() as session:
            row = session.get(FindingRow, fingerprint)
            if row is None:
                raise NotFoundError(f"no finding {fingerprint!r}: `nightowl watch list` shows them")
            return _finding(row)

    def accept(self, fingerprint: str, until: datetime, by: str, at: datetime) -> Finding:
        """Accept the risk of an active finding until ``until`` (after ``at``). InputError for a
        fixed finding or a date in the past; NotFoundError for an unknown one."""
        if until <= at:
            raise InputError(f"accept until {until.isoformat()} is not in the future")
        with self.sessions.write() as session:
            row = session.get(FindingRow, fingerprint)
            if row is None:
                raise NotFoundError(f"no finding {fingerprint!r}: `nightowl watch list` shows them")
            if row.state == FindingState.FIXED:
                raise InputError(f"finding {fingerprint} is fixed: there is nothing to accept")
            update = {"accepted_until": until, "accepted_by": by}
            return _write(row, _finding(row).model_copy(update=update), FindingState.ACCEPTED)


def _track(session: Session, row: FindingRow | None, finding: Finding, at: datetime) -> Finding:
    if row is None:
        new = finding.model_copy(
            update={"state": FindingState.NEW, "first_seen": at, "last_seen": at}
        )
        session.add(_row(new))
        return new
    before = _finding(row)
    state = FindingState.OPEN
    update: dict[str, object] = {"first_seen": before.first_seen, "last_seen": at}
    if before.state is FindingState.FIXED:
        state = FindingState.NEW  # it came back: someone must look again
        update["first_seen"] = at
    elif before.state is FindingState.ACCEPTED and (before.accepted_until or at) > at:
        state = FindingState.ACCEPTED
        update |= {"accepted_until": before.accepted_until, "accepted_by": before.accepted_by}
    return _write(row, finding.model_copy(update=update), state)


def _fix(row: FindingRow, at: datetime) -> Finding:
    return _write(row, _finding(row).model_copy(update={"fixed_at": at}), FindingState.FIXED)


def _write(row: FindingRow, finding: Finding, state: FindingState) -> Finding:
    tracked = finding.model_copy(update={"state": state})
    if state is not FindingState.FIXED:
        tracked = tracked.model_copy(update={"fixed_at": None})
    for name, value in _columns(tracked).items():
        setattr(row, name, value)
    return tracked


def _row(finding: Finding) -> FindingRow:
    return FindingRow(fingerprint=finding.fingerprint, **_columns(finding))


def _columns(finding: Finding) -> dict[str, Any]:
    return {
        "watcher": finding.watcher,
        "kind": finding.kind,
        "resource": finding.resource[:500],
        "severity": finding.severity.value,
        "state": finding.state.value,
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "fixed_at": finding.fixed_at,
        "accepted_until": finding.accepted_until,
        "monthly_cost_delta": finding.monthly_cost_delta,
        "body": finding.model_dump(mode="json"),
    }


def _finding(row: FindingRow) -> Finding:
    return Finding.model_validate(row.body)
