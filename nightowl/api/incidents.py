"""``GET /api/v1/incidents``, ``GET /api/v1/incidents/{id}`` and its postmortem export,
``GET /api/v1/incidents/{id}/report?format=json|markdown|html``; ``POST
/api/v1/incidents/{id}/resolve`` closes an escalated incident by hand (``nightowl.app.closing``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Security
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, Reader, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.app.closing import MAX_REASON, resolve_by_hand
from nightowl.domain import Incident, IncidentStatus, IncidentSummary
from nightowl.errors import NotFoundError
from nightowl.report.export import MEDIA_TYPES, ReportFormat
from nightowl.report.model import Postmortem

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

Closer = Annotated[Principal, Security(allowed_to(Act.RESOLVE_INCIDENT))]


class Closing(BaseModel):
    """Why a person closes an escalated incident (kept in the audit trail)."""

    reason: str = Field(min_length=1, max_length=MAX_REASON, examples=["rolled back by hand"])


@router.get(
    "",
    response_model=list[IncidentSummary],
    responses=REFUSED,
    summary="List incidents, newest first",
)
async def list_incidents(
    request: Request,
    _: Reader,
    limit: int = Query(50, ge=1, le=1000),
    status: IncidentStatus | None = None,
) -> list[IncidentSummary]:
    records = nightowl_of(request).records
    return await run_in_threadpool(records.incidents, limit=limit, status=status)


@router.get(
    "/{incident_id}",
    response_model=Incident,
    responses={**REFUSED, 404: {"description": "no such incident"}},
    summary="One incident: alerts, stage records, evidence, hypotheses, diagnosis, decisions, "
    "actions, verification and report",
)
async def get_incident(request: Request, incident_id: str, _: Reader) -> Incident:
    records = nightowl_of(request).records
    try:
        return await run_in_threadpool(records.incident, incident_id)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.get(
    "/{incident_id}/report",
    response_model=Postmortem,
    responses={
        **REFUSED,
        200: {
            "description": "The postmortem: the typed model (json), or the Markdown or HTML text",
            "content": {"text/markdown": {}, "text/html": {}},
        },
        404: {"description": "no such incident"},
    },
    summary="The incident's postmortem, exported as JSON (the typed report), Markdown or HTML",
)
async def get_report(
    request: Request,
    incident_id: str,
    _: Reader,
    fmt: Annotated[
        ReportFormat, Query(alias="format", description="json, markdown or html")
    ] = ReportFormat.JSON,
) -> Response:
    records = nightowl_of(request).records
    try:
        incident = await run_in_threadpool(records.incident, incident_id)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    text = await run_in_threadpool(records.export_report, incident, fmt)
    return Response(text, media_type=MEDIA_TYPES[fmt])


@router.post(
    "/{incident_id}/resolve",
    response_model=Incident,
    responses={
        **REFUSED,
        404: {"description": "no such incident"},
        409: {"description": "the incident is not escalated (its workflow is still on it)"},
    },
    summary="Close an escalated incident by hand, with the reason (as the token holder; audited)",
)
async def resolve(request: Request, incident_id: str, body: Closing, me: Closer) -> Incident:
    records = nightowl_of(request).records
    return await run_in_threadpool(resolve_by_hand, records, incident_id, body.reason, me)
