"""``GET /api/v1/approvals`` and ``POST /api/v1/approvals/{id}/approve|deny``.

The caller is identified by bearer token (``api.users`` maps user names to tokens); answering takes
the approver role (``nightowl.app.access``), and whether they may answer for the service is the
approvals package's decision (``approvals.approvers``); every refusal there is audited. An answer is stored first, then the incident's workflow is woken.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Security
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.domain import ApprovalRequest, ApprovalStatus
from nightowl.errors import AuthError, ForbiddenError, InputError, NotFoundError

router = APIRouter(prefix="/api/v1/approvals", tags=["approvals"])
ERRORS: dict[int | str, dict[str, str]] = {
    401: REFUSED[401],
    403: {"description": "the caller is not an approver, or not of this service (audited)"},
    404: {"description": "no such approval request"},
    409: {"description": "the request was already answered or has expired"},
}


# Authenticated here; the role is checked (and a refusal audited) by ``answer_approval``.
Approver = Annotated[Principal, Security(allowed_to(Act.READ))]


class Answer(BaseModel):
    reason: str = Field(default="", max_length=2000, description="Why; required to deny.")


@router.get(
    "",
    response_model=list[ApprovalRequest],
    responses=REFUSED,
    summary="Approval requests, newest first: evidence, action, blast radius, rollback plan",
)
async def list_approvals(
    request: Request,
    _: Reader,
    status: ApprovalStatus | None = None,
    incident_id: str | None = None,
) -> list[ApprovalRequest]:
    records = nightowl_of(request).records
    return await run_in_threadpool(records.approvals, status=status, incident_id=incident_id)


@router.post(
    "/{request_id}/approve",
    response_model=ApprovalRequest,
    responses=ERRORS,
    summary="Approve a pending request; nightowl then acts (still through every guardrail)",
)
async def approve(
    request: Request, request_id: str, me: Approver, body: Answer | None = None
) -> ApprovalRequest:
    return await _answer(request, me, request_id, True, (body or Answer()).reason)


@router.post(
    "/{request_id}/deny",
    response_model=ApprovalRequest,
    responses=ERRORS,
    summary="Deny a pending request; nothing is executed",
)
async def deny(request: Request, request_id: str, me: Approver, body: Answer) -> ApprovalRequest:
    if not body.reason.strip():
        raise HTTPException(status_code=422, detail="a denial needs a reason")
    return await _answer(request, me, request_id, False, body.reason)


async def _answer(
    request: Request, me: Principal, request_id: str, approve: bool, reason: str
) -> ApprovalRequest:
    app = nightowl_of(request)
    try:
        return await app.answer_approval(request_id, by=me, approve=approve, reason=reason)
    except (AuthError, ForbiddenError) as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except InputError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
