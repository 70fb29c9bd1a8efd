"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import nightowl_of
from nightowl.api.metrics import REGISTRY
from nightowl.errors import StoreError

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness and store reachability")
async def healthz(request: Request) -> JSONResponse:
    records = nightowl_of(request).records
    try:
        await run_in_threadpool(records.incidents, limit=1)
    except StoreError as exc:
        return JSONResponse({"status": "unhealthy", "store": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "store": "ok"})


@router.get("/metrics", summary="Prometheus metrics of nightowl itself", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
