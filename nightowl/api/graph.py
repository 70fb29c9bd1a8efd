"""``GET /api/v1/graph/services/{name}`` and ``.../who-changed``: the knowledge graph's answers.

Who owns a service and who is on call, what it depends on and what depends on it, its recent
deploys with who, what, when, commit and pull request, and the incidents that affected it. Reading
takes ``Act.READ_GRAPH`` (every role: the graph holds people's names, so never without a token).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Security
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, allowed_to, nightowl_of
from nightowl.app.access import Act, Principal
from nightowl.domain.graph import ChangeRef, ServiceCard

router = APIRouter(prefix="/api/v1/graph", tags=["graph"])
GraphReader = Annotated[Principal, Security(allowed_to(Act.READ_GRAPH))]
ServiceName = Annotated[str, Path(min_length=1, max_length=200, description="A service's name.")]
MAX_SINCE_MINUTES = 30 * 24 * 60


@router.get(
    "/services/{name}",
    response_model=ServiceCard,
    responses=REFUSED,
    summary="Owners, on-call, dependencies both ways, recent deploys and incidents of a service",
)
async def service_card(
    request: Request,
    _: GraphReader,
    name: ServiceName,
    hops: Annotated[
        int | None, Query(ge=1, le=20, description="How far to walk dependencies; default: all.")
    ] = None,
) -> ServiceCard:
    """A service the graph has never seen answers 200 with ``known: false``: no one has said
    anything about it yet, which is itself the answer."""
    app = nightowl_of(request)
    return await run_in_threadpool(app.records.service_card, name, hops)


@router.get(
    "/services/{name}/who-changed",
    response_model=list[ChangeRef],
    responses=REFUSED,
    summary="Deploys of a service and of what it depends on, newest first",
)
async def who_changed(
    request: Request,
    _: GraphReader,
    name: ServiceName,
    since_minutes: Annotated[
        int, Query(ge=1, le=MAX_SINCE_MINUTES, description="How far back, in minutes (default 2h).")
    ] = 120,
    hops: Annotated[
        int, Query(ge=0, le=20, description="Dependencies this many calls away count too.")
    ] = 1,
) -> list[ChangeRef]:
    app = nightowl_of(request)
    since = timedelta(minutes=since_minutes)
    return await run_in_threadpool(app.records.who_changed, name, since, hops)
