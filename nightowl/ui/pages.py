"""The pages (GET): incidents, one incident, its report, KPIs, silences, findings, the kill
switch, login.

Every page reads through the application's stores in a worker thread; none of them writes.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.concurrency import run_in_threadpool

from nightowl.domain import ApprovalRequest, Incident, IncidentStatus, outcome_of
from nightowl.domain.graph import ServiceCard
from nightowl.domain.memory import Verdict
from nightowl.errors import NightowlError, NotFoundError
from nightowl.report import charts as chart_lib
from nightowl.report.distributions import bars, drifts
from nightowl.report.export import MEDIA_TYPES, ReportFormat, saved_charts, saved_page
from nightowl.report.html import render_html
from nightowl.ui.sessions import COOKIE, LOGIN_CSRF_COOKIE
from nightowl.ui.web import page, safe_next, ui_of, who

if TYPE_CHECKING:
    from nightowl.app.records import Records

router = APIRouter(include_in_schema=False)
LIVE_CHART_SECONDS = 3.0


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/ui/incidents", status_code=303)


@router.get("/ui")
async def ui_home() -> Response:
    return RedirectResponse("/ui/incidents", status_code=303)


@router.get("/ui/login")
async def login_form(request: Request, next: str = "/ui/incidents") -> Response:
    token = secrets.token_urlsafe(16)
    users = bool(ui_of(request).app.settings.ui.users)
    response = page(request, "login.html", None, next=safe_next(next), csrf=token, users=users)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=900)
    if request.cookies.get(COOKIE):
        response.delete_cookie(COOKIE)
    return response


@router.get("/ui/incidents")
async def incidents(request: Request, status: IncidentStatus | None = None) -> Response:
    me = who(request)
    rows = await run_in_threadpool(ui_of(request).app.records.incidents, limit=200, status=status)
    return page(
        request, "incidents.html", me, incidents=rows, status=status, **await _banner(request)
    )


@router.get("/ui/incidents/rows")
async def incident_rows(request: Request, status: IncidentStatus | None = None) -> Response:
    """The list's table body, polled by the page for live updates."""
    me = who(request)
    rows = await run_in_threadpool(ui_of(request).app.records.incidents, limit=200, status=status)
    return page(request, "_incident_rows.html", me, incidents=rows)


@router.get("/ui/incidents/{incident_id}")
async def incident(request: Request, incident_id: str) -> Response:
    me = who(request)
    found = await _incident(request, incident_id)
    if isinstance(found, Response):
        return found
    context = await run_in_threadpool(_details, request, found)
    drawn = await _charts(request, found)
    return page(
        request,
        "incident.html",
        me,
        incident=found,
        outcome=outcome_of(found),
        stamp=stamp_of(found, context["approvals"]),
        charts=[(c, chart_lib.svg(c)) for c in drawn],
        distributions=[bars(d) for d in drifts(found.evidence)],
        **context,
        **await _banner(request),
    )


@router.get("/ui/incidents/{incident_id}/stamp")
async def stamp(request: Request, incident_id: str) -> Response:
    """What changes when the incident does: the page reloads itself when this differs from the
    stamp it was rendered with."""
    who(request)
    found = await _incident(request, incident_id)
    if isinstance(found, Response):
        return JSONResponse({"error": "no such incident"}, 404)
    asked = await run_in_threadpool(ui_of(request).app.records.approvals, incident_id=incident_id)
    return PlainTextResponse(stamp_of(found, asked))


def stamp_of(incident: Incident, approvals: list[ApprovalRequest]) -> str:
    answers = ",".join(f"{r.id}:{r.status.value}" for r in approvals)
    return f"{incident.updated_at.isoformat()}|{incident.status.value}|{answers}"


@router.get("/ui/incidents/{incident_id}/report")
async def report(request: Request, incident_id: str) -> Response:
    """The self-contained HTML report: the page the report stage stored, or rendered now."""
    who(request)
    found = await _incident(request, incident_id)
    if isinstance(found, Response):
        return found
    documents = await run_in_threadpool(ui_of(request).app.records.report_documents, found.id)
    if (html := saved_page(found, documents)) is not None:
        return HTMLResponse(html)
    drawn = await _charts(request, found)
    markdown = found.report.markdown if found.report else None
    return HTMLResponse(render_html(found, drawn, markdown=markdown))


@router.get("/ui/incidents/{incident_id}/report.md")
async def report_markdown(request: Request, incident_id: str) -> Response:
    who(request)
    found = await _incident(request, incident_id)
    if isinstance(found, Response):
        return found
    if found.report is None:
        return PlainTextResponse("no report yet: it is written when the incident's run ends", 404)
    return PlainTextResponse(found.report.markdown, media_type="text/markdown; charset=utf-8")


@router.get("/ui/incidents/{incident_id}/report.json")
async def report_json(request: Request, incident_id: str) -> Response:
    """The postmortem as JSON (the typed report model), for tools that keep postmortems."""
    who(request)
    found = await _incident(request, incident_id)
    if isinstance(found, Response):
        return found
    text = await run_in_threadpool(
        ui_of(request).app.records.export_report, found, ReportFormat.JSON
    )
    return Response(text, media_type=MEDIA_TYPES[ReportFormat.JSON])


@router.get("/ui/kpis")
async def kpis(request: Request) -> Response:
    me = who(request)
    records = ui_of(request).app.records
    values = await run_in_threadpool(records.kpis)
    estate = await run_in_threadpool(records.estate_kpis)
    posture = await run_in_threadpool(records.posture)
    return page(
        request,
        "kpis.html",
        me,
        kpis=values,
        estate=estate,
        posture=posture,
        **await _banner(request),
    )


@router.get("/ui/silences")
async def silences(request: Request) -> Response:
    me = who(request)
    app = ui_of(request).app
    found = await run_in_threadpool(app.records.silences)
    now = app.clock.now()
    rows = [(s, s.state(now).value) for s in found]
    return page(request, "silences.html", me, silences=rows, **await _banner(request))


@router.get("/ui/findings")
async def findings(request: Request, watcher: str | None = None) -> Response:
    me = who(request)
    found = await run_in_threadpool(ui_of(request).app.records.findings, watcher=watcher)
    currency = ui_of(request).app.settings.cost.currency
    banner = await _banner(request)
    return page(request, "findings.html", me, findings=found, currency=currency, **banner)


@router.get("/ui/killswitch")
async def killswitch(request: Request) -> Response:
    me = who(request)
    app = ui_of(request).app
    global_approver = app.records.may_release_killswitch(me.name)
    return page(
        request, "killswitch.html", me, global_approver=global_approver, **await _banner(request)
    )


async def _banner(request: Request) -> dict[str, Any]:
    """The kill switch's state, shown on every page while it is on."""
    state = await run_in_threadpool(ui_of(request).app.records.killswitch)
    return {"killswitch": state}


async def _incident(request: Request, incident_id: str) -> Incident | Response:
    try:
        return await run_in_threadpool(ui_of(request).app.records.incident, incident_id)
    except NotFoundError as exc:
        response = page(request, "error.html", who(request), problem=str(exc))
        response.status_code = 404
        return response


def _details(request: Request, incident: Incident) -> dict[str, Any]:
    app = ui_of(request).app
    records = list(app.records.audit_records(incident_id=incident.id))
    return {
        "approvals": app.records.approvals(incident_id=incident.id),
        "audit": records[-200:],
        "evidence_by_id": {e.id: e for e in incident.evidence},
        "decisions": {d.idempotency_key: d for d in incident.decisions},
        "results": {a.idempotency_key: a for a in incident.actions},
        "card": _card(app.records, incident.service),
        "similar": app.records.memory.similar(incident.id, limit=5),
        "said": app.records.memory.said(incident.id),
        "verdicts": list(Verdict),
        "trace": app.records.trace(incident.id),
    }


def _card(records: Records, service: str | None) -> ServiceCard | None:
    """The knowledge graph's card of the incident's service; None without one or when the graph
    cannot be read (the page shows the incident all the same)."""
    if service is None:
        return None
    try:
        card = records.service_card(service, hops=1)
    except NightowlError:
        return None
    return card if card.known else None


async def _charts(request: Request, incident: Incident) -> list[chart_lib.Chart]:
    """The charts saved with the report; before there is one, read live (briefly)."""
    if incident.report_path:
        records = ui_of(request).app.records
        documents = await run_in_threadpool(records.report_documents, incident.id)
        if saved := await run_in_threadpool(saved_charts, incident, documents):
            return saved
    app = ui_of(request).app
    try:
        return await asyncio.wait_for(
            chart_lib.capture(
                app.reads.metrics,
                incident,
                app.clock.now(),
                app.settings.gather.step_seconds,
                LIVE_CHART_SECONDS,
            ),
            LIVE_CHART_SECONDS * 2,
        )
    except TimeoutError:
        return []
