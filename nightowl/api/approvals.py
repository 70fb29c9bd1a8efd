"""``GET /api/v1/approvals`` and ``POST /api/v1/approvals/{id}/approve|deny``.

The caller is identified by bearer token (``api.users`` maps user names to tokens); whether they
may answer is the approvals package's decision (``approvals.approvers``), and every refusal is
audited. An answer is stored first, then the incident's workflow is woken.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import nightowl_of
from nightowl.domain import ApprovalRequest, ApprovalStatus
from nightowl.errors import AuthError, InputError, NotFoundError

router = APIRouter(prefix="/api/v1/approvals", tags=["approvals"])
ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "missing or unknown bearer token"},
    403: {"description": "the caller may not answer requests for this service (audited)"},
    404: {"description": "no such approval request"},
    409: {"description": "the request was already answered or has expired"},
}


class Answer(BaseModel):
    reason: str = Field(default="", max_length=2000, description="Why; required to deny.")


def caller(request: Request) -> str:
    """The user whose bearer token this is (``api.users``), or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = nightowl_of(request).settings.api_user(token) if scheme.lower() == "bearer" else None
    if not token or user is None:
        raise HTTPException(
            status_code=401,
            detail="send 'Authorization: Bearer <token>' with a token from api.users",
        )
    return user


@router.get(
    "",
    response_model=list[ApprovalRequest],
    responses={401: ERRORS[401]},
    summary="Approval requests, newest first: evidence, action, blast radius, rollback plan",
)
async def list_approvals(
    request: Request,
    status: ApprovalStatus | None = None,
    incident_id: str | None = None,
) -> list[ApprovalRequest]:
    caller(request)
    records = nightowl_of(request).records
    return await run_in_threadpool(records.approvals, status=status, incident_id=incident_id)


@router.post(
    "/{request_id}/approve",
    response_model=ApprovalRequest,
    responses=ERRORS,
    summary="Approve a pending request; nightowl then acts (still through every guardrail)",
)
async def approve(request: Request, request_id: str, body: Answer | None = None) -> ApprovalRequest:
    return await _answer(request, request_id, True, (body or Answer()).reason)


@router.post(
    "/{request_id}/deny",
    response_model=ApprovalRequest,
    responses=ERRORS,
    summary="Deny a pending request; nothing is executed",
)
async def deny(request: Request, request_id: str, body: Answer) -> ApprovalRequest:
    if not body.reason.strip():
        raise HTTPException(status_code=422, detail="a denial needs a reason")
    return await _answer(request, request_id, False, body.reason)


async def _answer(request: Request, request_id: str, approve: bool, reason: str) -> ApprovalRequest:
    user = caller(request)
    app = nightowl_of(request)
    try:
        return await app.answer_approval(request_id, user=user, approve=approve, reason=reason)
    except AuthError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except InputError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
