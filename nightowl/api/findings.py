"""``GET /api/v1/findings``, ``GET /api/v1/findings/{fingerprint}`` and
``POST /api/v1/findings/{fingerprint}/accept``: what the watchers found.

Reading takes any role (``Act.READ``); accepting a finding's risk until a date takes the
approver role (``Act.ACCEPT_FINDING``, refusals audited) and is audited itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Security
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.domain.findings import Finding, FindingState
from nightowl.errors import InputError, NotFoundError

router = APIRouter(prefix="/api/v1/findings", tags=["findings"])
Accepter = Annotated[Principal, Security(allowed_to(Act.ACCEPT_FINDING))]


class Acceptance(BaseModel):
    until: datetime = Field(description="When the acceptance ends (ISO 8601 with a time zone).")


@router.get(
    "",
    response_model=list[Finding],
    responses=REFUSED,
    summary="The watchers' findings, most recently seen first",
)
async def list_findings(
    request: Request,
    _: Reader,
    watcher: str | None = None,
    state: Annotated[list[FindingState] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Finding]:
    records = nightowl_of(request).records
    return await run_in_threadpool(
        records.findings, watcher=watcher, states=state or (), limit=limit
    )


@router.get(
    "/{fingerprint}",
    response_model=Finding,
    responses=REFUSED | {404: {"description": "no such finding"}},
    summary="One finding with its evidence and proposed change",
)
async def get_finding(request: Request, fingerprint: str, _: Reader) -> Finding:
    try:
        return await run_in_threadpool(nightowl_of(request).records.finding, fingerprint)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.post(
    "/{fingerprint}/accept",
    response_model=Finding,
    responses=REFUSED
    | {404: {"description": "no such finding"}, 409: {"description": "fixed, or a past date"}},
    summary="Accept a finding's risk until a date (approver; audited)",
)
async def accept_finding(
    request: Request, fingerprint: str, body: Acceptance, me: Accepter
) -> Finding:
    if body.until.tzinfo is None:
        raise HTTPException(status_code=422, detail="until needs a time zone (Z or +02:00)")
    records = nightowl_of(request).records
    try:
        return await run_in_threadpool(records.accept_finding, fingerprint, body.until, by=me)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except InputError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
