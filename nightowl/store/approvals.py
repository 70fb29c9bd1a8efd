"""Approval requests: what nightowl asks a human before acting, and what the human answered.

A request's id derives from the action's idempotency key, so a re-run step opens it once. Only a
pending request can be decided, exactly once (a conditional update): two approvers racing both
see the first answer win.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from nightowl.domain import ApprovalRequest, ApprovalStatus
from nightowl.errors import InputError, NotFoundError
from nightowl.store.sessions import Sessions, upsert
from nightowl.store.tables import Base, UTCDateTime


class ApprovalRow(Base):
    """One approval request; its status and expiry are columns for the list and expiry queries,
    the whole request is the body.
    """

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(200), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), index=True)
    service: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class ApprovalStore:
    """Approval requests on the shared database. Thread- and process-safe."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def open(self, request: ApprovalRequest) -> ApprovalRequest:
        """Store ``request`` unless one with its id exists; returns the stored one."""
        values = {
            "id": request.id,
            "incident_id": request.incident_id,
            "idempotency_key": request.action.idempotency_key,
            "service": request.service,
            "status": request.status.value,
            "requested_at": request.requested_at,
            "expires_at": request.expires_at,
            "body": request.model_dump(mode="json"),
        }
        with self.sessions.write() as session:
            insert = upsert(session, ApprovalRow).values(values)
            session.execute(insert.on_conflict_do_nothing(index_elements=["id"]))
        return self.get(request.id)

    def get(self, request_id: str) -> ApprovalRequest:
        """The request ``request_id``; NotFoundError saying how to list them."""
        with self.sessions.read() as session:
            row = session.get(ApprovalRow, request_id)
            if row is None:
                raise NotFoundError(
                    f"no approval request {request_id!r}; see `nightowl approvals list`"
                )
            return ApprovalRequest.model_validate(row.body)

    def list(
        self, *, status: ApprovalStatus | None = None, incident_id: str | None = None
    ) -> builtins.list[ApprovalRequest]:
        """Requests newest first, optionally only of one status or one incident."""
        query = select(ApprovalRow.body).order_by(ApprovalRow.requested_at.desc(), ApprovalRow.id)
        if status is not None:
            query = query.where(ApprovalRow.status == status.value)
        if incident_id is not None:
            query = query.where(ApprovalRow.incident_id == incident_id)
        with self.sessions.read() as session:
            return [ApprovalRequest.model_validate(b) for b in session.scalars(query)]

    def decide(
        self, request_id: str, status: ApprovalStatus, *, by: str, reason: str, at: datetime
    ) -> ApprovalRequest:
        """Record the answer to a pending request; InputError if it was already answered."""
        current = self.get(request_id)
        if current.status is not ApprovalStatus.PENDING:
            who = f" by {current.decided_by}" if current.decided_by else ""
            raise InputError(f"approval request {request_id} is already {current.status}{who}")
        decided = current.model_copy(
            update={"status": status, "decided_by": by, "reason": reason, "decided_at": at}
        )
        with self.sessions.write() as session:
            changed = session.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == request_id)
                .where(ApprovalRow.status == ApprovalStatus.PENDING.value)
                .values(status=status.value, body=decided.model_dump(mode="json"))
                .returning(ApprovalRow.id)
            ).first()
        if not changed:
            return self.decide(request_id, status, by=by, reason=reason, at=at)
        return decided
