"""``/healthz`` (public: a load balancer's probe) and ``/metrics`` (a token, unless
``api.metrics_public``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import REFUSED, USER_TOKEN, caller, nightowl_of
from nightowl.api.metrics import REGISTRY
from nightowl.app.access import Act, require
from nightowl.errors import StoreError

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness and store reachability (no token needed)")
async def healthz(request: Request) -> JSONResponse:
    records = nightowl_of(request).records
    try:
        await run_in_threadpool(records.incidents, limit=1)
    except StoreError as exc:
        return JSONResponse({"status": "unhealthy", "store": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "store": "ok"})


def scraper(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(USER_TOKEN)],
) -> None:
    """Anyone when ``api.metrics_public``; else a caller who may read (401 / 403)."""
    if nightowl_of(request).settings.api.metrics_public:
        return
    require(caller(request, credentials), Act.READ)


@router.get(
    "/metrics",
    summary="Prometheus metrics of nightowl itself (a token unless api.metrics_public)",
    response_class=Response,
    responses=REFUSED,
    dependencies=[Security(scraper)],
)
async def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
