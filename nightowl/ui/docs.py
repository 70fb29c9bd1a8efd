"""``/docs``: the API's Swagger UI, served from this process, for people who may read.

The Swagger UI files come from the ``swagger-ui-bundle-v2`` package (Swagger UI 5: FastAPI writes
OpenAPI 3.1, which the original ``swagger-ui-bundle``'s Swagger UI 4 cannot read; no CDN: the page works on a
machine with no way out, and the Content-Security-Policy's ``script-src 'self'`` holds, since the
page starts Swagger UI from a script file of the UI's own instead of an inline one). The page and
the OpenAPI document it reads need a UI session or an api.users token, as every page does; the
library's files under ``/docs/assets`` are public, as the UI's own static files are. Calls tried
from the page send the token given under *Authorize*.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from nightowl.ui.web import page, who

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs_page(request: Request) -> Response:
    """The Swagger UI page (a login first for a browser without a session)."""
    return page(request, "docs.html", who(request))


@router.get("/docs/openapi.json")
async def docs_document(request: Request) -> JSONResponse:
    """The OpenAPI document, for the page (a session is enough here; /openapi.json wants a
    token)."""
    who(request)
    return JSONResponse(request.app.openapi())


def install_docs(api: FastAPI) -> None:
    """Add ``/docs`` and the Swagger UI files it loads to ``api``."""
    api.mount("/docs/assets", StaticFiles(directory=Path(str(swagger_ui_path))), name="docs-assets")
    api.include_router(router)
