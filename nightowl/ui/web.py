"""What every page shares: the templates, who is asking, and how refusals look; ``install``.

Routes are excluded from the OpenAPI document (the API is the contract; pages are not).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

import nightowl
from nightowl.app.access import Act, allowed, require
from nightowl.domain.units import money
from nightowl.errors import ForbiddenError
from nightowl.report.html import markdown_html
from nightowl.ui.logins import Logins
from nightowl.ui.sessions import COOKIE, Principal, Sessions

if TYPE_CHECKING:
    from nightowl.app import Nightowl

HERE = Path(__file__).parent


@dataclass
class Ui:
    """The UI's state on the FastAPI application (``api.state.ui``)."""

    app: Nightowl
    sessions: Sessions
    templates: Environment
    logins: Logins = field(default_factory=Logins)


class LoginRequired(Exception):
    """No valid session or token: pages redirect to the login form, fragments answer 401."""


class Forbidden(Exception):
    """The person's role does not allow this; one line saying which role would. With ``actor``,
    the refusal is put on the audit trail (``access.refused``)."""

    def __init__(self, message: str, *, actor: str | None = None, action: str = "") -> None:
        super().__init__(message)
        self.actor, self.action = actor, action


def ui_of(request: Request) -> Ui:
    ui: Ui = request.app.state.ui
    return ui


def who(request: Request) -> Principal:
    """The person asking (a session or an API token), who may read (``Act.READ``); else
    LoginRequired (401, or a redirect to the login form)."""
    sessions = ui_of(request).sessions
    found = sessions.bearer(request.headers.get("authorization")) or sessions.principal(
        request.cookies.get(COOKIE)
    )
    if found is None:
        raise LoginRequired()
    try:
        require(found, Act.READ)
    except ForbiddenError as exc:
        raise Forbidden(str(exc)) from None
    return found


def need(request: Request, principal: Principal, act: Act) -> None:
    """``access.require`` before a form acts (a refusal audited), answered as the 403 page."""
    try:
        ui_of(request).app.records.guard(principal, act)
    except ForbiddenError as exc:
        raise Forbidden(str(exc)) from None


def page(request: Request, template: str, principal: Principal | None, **context: Any) -> Response:
    ui = ui_of(request)
    html = ui.templates.get_template(template).render(
        request=request,
        me=principal,
        Act=Act,
        may=partial(_may, principal),
        version=nightowl.__version__,
        message=request.query_params.get("msg"),
        error=request.query_params.get("error"),
        **context,
    )
    return HTMLResponse(html)


def _may(principal: Principal | None, act: Act) -> bool:
    """For templates: show a button only to whom ``access`` allows its act."""
    return principal is not None and allowed(principal, act)


def back(path: str, *, msg: str | None = None, error: str | None = None) -> RedirectResponse:
    """Redirect after a POST (303), with a one-line message shown on the next page."""
    query = f"?msg={quote(msg)}" if msg else f"?error={quote(error)}" if error else ""
    return RedirectResponse(path + query, status_code=303)


def safe_next(target: str) -> str:
    """Only local paths after login: no open redirect to another site."""
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else "/ui/incidents"


def install(api: FastAPI, app: Nightowl) -> None:
    """Add the UI's pages, forms and static files to ``api``."""
    from nightowl.ui import forms, pages
    from nightowl.ui.docs import install_docs

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_when, ago=_duration, pct=_pct, seconds=_seconds, brief=_brief, markdown=_markdown,
        money=money, diff_lines=_diff_lines,
    )  # fmt: skip
    api.state.ui = Ui(
        app=app, sessions=Sessions(app.settings, app.stores.revocations), templates=env
    )
    api.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")
    api.include_router(pages.router)
    api.include_router(forms.router)
    install_docs(api)
    api.add_exception_handler(LoginRequired, _login_required)
    api.add_exception_handler(Forbidden, _forbidden)


async def _login_required(request: Request, exc: Exception) -> Response:
    if request.method != "GET" or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": "log in at /ui/login or send a bearer token"}, 401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Forbidden) and exc.actor is not None:
        records = ui_of(request).app.records
        await run_in_threadpool(records.audit_refusal, exc.actor, exc.action, str(exc))
    response = page(request, "error.html", None, problem=str(exc))
    response.status_code = 403
    return response


def _markdown(text: str) -> Markup:
    return Markup(markdown_html(text))  # markdown-it escapes raw HTML: safe to mark safe


def _brief(data: Any, limit: int = 240) -> str:
    text = json.dumps(data, default=str, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _diff_lines(diff: str) -> list[tuple[str, str]]:
    """A unified diff's lines with the class that colours them (added, removed, hunk, file)."""
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "diff-file"
        elif line.startswith("@@"):
            kind = "diff-hunk"
        else:
            kind = {"+": "diff-add", "-": "diff-del"}.get(line[:1], "")
        out.append((kind, line))
    return out


def _when(ts: datetime | None) -> str:
    return "—" if ts is None else f"{ts:%Y-%m-%d %H:%M:%S} UTC"


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    minutes, secs = divmod(round(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def _duration(start: datetime, end: datetime | None) -> str:
    return "—" if end is None else _seconds((end - start).total_seconds())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
