"""``GET /api/v1/killswitch`` and ``PUT /api/v1/killswitch``: stop every write, on every worker.

The switch is a database row that each write reads immediately before it happens. Turning it on
takes the responder role, off the approver role (``nightowl.app.access``) and a global approver
(``approvals.approvers['*']``). Both are audited, as the token holder.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, nightowl_of
from nightowl.domain import KillSwitch
from nightowl.errors import AuthError

router = APIRouter(prefix="/api/v1/killswitch", tags=["killswitch"])


class Switch(BaseModel):
    on: bool
    reason: str = Field(default="", max_length=2000)


@router.get(
    "",
    response_model=KillSwitch,
    responses=REFUSED,
    summary="Whether the kill switch is on, since when, by whom and why",
)
async def get_killswitch(request: Request, _: Reader) -> KillSwitch:
    return await run_in_threadpool(nightowl_of(request).records.killswitch)


@router.put(
    "",
    response_model=KillSwitch,
    responses={
        401: REFUSED[401],
        403: {"description": "on takes a responder; off an approver who is a global approver"},
    },
    summary="Turn the kill switch on (a responder) or off (a global approver)",
)
async def put_killswitch(request: Request, body: Switch, me: Reader) -> KillSwitch:
    app = nightowl_of(request)
    try:
        return await run_in_threadpool(
            app.records.set_killswitch, body.on, by=me, reason=body.reason
        )
    except AuthError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
