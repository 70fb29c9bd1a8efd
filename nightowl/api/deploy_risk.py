"""``POST /api/v1/deploys/assess``: the risk of a deploy before it happens, with its reasons.

A pipeline (or a person) asks with a token from ``api.users`` whose role allows
``Act.ASSESS_DEPLOY``; the assessment is audited as that person. The body names the deploy and,
optionally, its diff (``files``: path and lines; GitHub's compare or ``git diff --numstat`` give
them) and the build's JUnit and Cobertura XML reports as text; the rest nightowl reads itself.
The body is bounded by ``server.max_body_bytes``; a malformed one is answered 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Security
from pydantic import BaseModel, ConfigDict, Field

from nightowl.api.deps import REFUSED, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.deployrisk import ci
from nightowl.deployrisk.model import MAX_FILES, Assessment, AssessRequest, Change, FileChange
from nightowl.errors import InputError

router = APIRouter(prefix="/api/v1/deploys", tags=["deploys"])
Assessor = Annotated[Principal, Security(allowed_to(Act.ASSESS_DEPLOY))]


class AssessIn(BaseModel):
    """A deploy about to happen, and what the pipeline knows of it."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(min_length=1, max_length=200)
    version: str = Field(min_length=1, max_length=200)
    at: datetime | None = Field(default=None, description="ISO 8601 with a time zone; default now")
    commit: str | None = Field(default=None, max_length=200)
    diff_from: str | None = Field(default=None, max_length=200, description="The diff's base.")
    files: list[FileChange] | None = Field(
        default=None,
        max_length=MAX_FILES,
        description="The changed files (path, added, deleted; kind is classified from the path "
        "when omitted); omitted: the change is not assessed.",
    )
    files_from: str = Field(
        default="request",
        max_length=50,
        pattern=r"^[\w.:-]+$",
        description="Where the files were read (git, github, …), said in the reasons.",
    )
    junit_xml: str | None = Field(default=None, description="A JUnit XML report, as text.")
    cobertura_xml: str | None = Field(default=None, description="This build's Cobertura XML.")
    cobertura_baseline_xml: str | None = Field(
        default=None, description="The base's Cobertura XML, to see a coverage drop."
    )


def request_of(body: AssessIn) -> AssessRequest:
    """The use case's request; InputError (422) naming the report that is not what it claims."""
    if body.at is not None and body.at.tzinfo is None:
        raise InputError("at: give a time zone (e.g. 2026-11-20T03:05:00Z)")
    if body.cobertura_baseline_xml is not None and body.cobertura_xml is None:
        raise InputError("cobertura_baseline_xml needs cobertura_xml (this build's report)")
    change = None
    if body.files is not None:
        change = Change(
            files=tuple(body.files), source=body.files_from, base=body.diff_from, head=body.commit
        )
    return AssessRequest(
        service=body.service,
        version=body.version,
        at=body.at,
        commit=body.commit,
        diff_from=body.diff_from,
        change=change,
        tests=ci.junit(body.junit_xml) if body.junit_xml is not None else None,
        coverage=ci.coverage(body.cobertura_xml, body.cobertura_baseline_xml)
        if body.cobertura_xml is not None
        else None,
    )


@router.post(
    "/assess",
    response_model=Assessment,
    responses={**REFUSED, 422: {"description": "a malformed field or report; the answer names it"}},
    summary="Assess a deploy's risk before it happens (audited; a delay notifies the owners)",
)
async def assess(request: Request, body: AssessIn, me: Assessor) -> Assessment:
    try:
        asked = request_of(body)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return await nightowl_of(request).deploy_risk.assess(asked, me)
