"""The forms (POST): log in and out, approve or deny, the kill switch, silences, feedback, closing
an escalated incident.

Each checks the CSRF token and the role, calls the same application function the API and CLI call
(so approvals still go through ``approvals.approvers`` and are audited), then redirects back with
one line saying what happened or what was wrong.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nightowl.app.access import Act
from nightowl.app.closing import resolve_by_hand
from nightowl.domain.memory import Feedback, Verdict
from nightowl.errors import AuthError, InputError, NightowlError, NotFoundError
from nightowl.intake.matchers import parse_matchers
from nightowl.ui.logins import Outcome
from nightowl.ui.sessions import COOKIE, LOGIN_CSRF_COOKIE, Principal, check_csrf
from nightowl.ui.web import Forbidden, back, need, safe_next, ui_of, who

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Me = Annotated[Principal, Depends(who)]  # before the form is read: 401 first, not 422


@router.post("/ui/login")
async def login(
    request: Request, username: Text, password: Text, csrf: Text = "", next: Text = "/ui/incidents"
) -> Response:
    ui = ui_of(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf or csrf != cookie:
        return _login_again(next, "the login form expired; try again")
    user = ui.app.settings.ui.users.get(username)
    stored = user.password_hash.get_secret_value() if user and user.password_hash else None
    # Known and unknown names are hashed, counted and answered alike (nightowl.ui.logins).
    outcome = await ui.logins.attempt(username, stored, password)
    if outcome is Outcome.LOCKED:
        return _login_again(next, "too many failed logins; wait five minutes")
    if outcome is not Outcome.OK:
        return _login_again(next, "wrong user name or password")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        ui.sessions.issue(username),
        max_age=ui.sessions.max_age,
        httponly=True,
        samesite="lax",
        secure=ui.app.settings.ui.secure_cookies,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/ui/logout")
async def logout(request: Request, me: Me, csrf: Text = "") -> Response:
    _checked(request, me, csrf)
    await run_in_threadpool(ui_of(request).sessions.revoke, request.cookies.get(COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.post("/ui/approvals/{request_id}/{verb}")
async def answer(
    request: Request,
    request_id: str,
    verb: str,
    who_: Me,
    csrf: Text = "",
    reason: Text = "",
    incident: Text = "",
) -> Response:
    me = _checked(request, who_, csrf)
    need(request, me, Act.APPROVE)
    where = f"/ui/incidents/{quote(incident)}" if incident else "/ui/incidents"
    if verb not in ("approve", "deny"):
        return back(where, error=f"unknown answer {verb!r}: approve or deny")
    if verb == "deny" and not reason.strip():
        return back(where, error="a denial needs a reason")
    try:
        decided = await ui_of(request).app.answer_approval(
            request_id, by=me, approve=verb == "approve", reason=reason.strip()
        )
    except (InputError, NotFoundError) as exc:
        return back(where, error=str(exc))
    return back(where, msg=f"{decided.id} {decided.status.value} by {me.name}")


@router.post("/ui/killswitch")
async def killswitch(
    request: Request, who_: Me, on: Text, csrf: Text = "", reason: Text = ""
) -> Response:
    me = _checked(request, who_, csrf)
    app = ui_of(request).app
    turn_on = on == "true"
    need(request, me, Act.KILLSWITCH_ON if turn_on else Act.KILLSWITCH_OFF)
    try:
        state = await run_in_threadpool(
            app.records.set_killswitch, turn_on, by=me, reason=reason.strip()
        )
    except AuthError as exc:
        return back("/ui/killswitch", error=str(exc))
    return back("/ui/killswitch", msg=f"kill switch {'ON' if state.on else 'off'} (by {me.name})")


@router.post("/ui/silences")
async def silence(
    request: Request,
    who_: Me,
    matchers: Text,
    comment: Text,
    csrf: Text = "",
    hours: Annotated[float, Form(gt=0, le=24 * 90)] = 2.0,
) -> Response:
    me = _checked(request, who_, csrf)
    need(request, me, Act.SILENCE)
    app = ui_of(request).app
    try:
        parsed = tuple(
            m for line in matchers.splitlines() if line.strip() for m in parse_matchers(line)
        )
        if not parsed:
            raise InputError('give at least one matcher, e.g. alertname="HighLatency"')
        starts = app.clock.now()
        made = await run_in_threadpool(
            app.add_silence,
            parsed,
            starts,
            starts + timedelta(hours=hours),
            me,
            comment,
        )
    except NightowlError as exc:
        return back("/ui/silences", error=str(exc))
    return back("/ui/silences", msg=f"silence {made.id} active for {hours:g}h")


@router.post("/ui/silences/{silence_id}/expire")
async def expire(request: Request, silence_id: str, who_: Me, csrf: Text = "") -> Response:
    me = _checked(request, who_, csrf)
    need(request, me, Act.SILENCE)
    try:
        await run_in_threadpool(ui_of(request).app.expire_silence, silence_id, me)
    except NightowlError as exc:
        return back("/ui/silences", error=str(exc))
    return back("/ui/silences", msg=f"silence {silence_id} expired")


@router.post("/ui/incidents/{incident_id}/feedback")
async def feedback(
    request: Request,
    incident_id: str,
    who_: Me,
    verdict: Text,
    csrf: Text = "",
    kind: Text = "",
    service: Text = "",
    action: Text = "",
    helped: Text = "",
    note: Text = "",
) -> Response:
    me = _checked(request, who_, csrf)
    need(request, me, Act.FEEDBACK)
    app = ui_of(request).app
    where = f"/ui/incidents/{quote(incident_id)}"
    if verdict not in set(Verdict):
        return back(where, error=f"unknown verdict {verdict!r}: confirm, correct or rate")
    try:
        given = Feedback(
            incident_id=incident_id,
            author=me.name,
            at=app.clock.now(),
            verdict=Verdict(verdict),
            kind=kind.strip()[:100] or None,
            service=service.strip()[:200] or None,
            action=action.strip()[:100] or None,
            helped={"true": True, "false": False}.get(helped),
            note=note.strip()[:2000],
        )
        kept = await run_in_threadpool(app.records.memory.feedback, me, given)
    except (InputError, NotFoundError) as exc:
        return back(where, error=str(exc))
    return back(where, msg=f"{kept.verdict.value} recorded by {me.name}")


@router.post("/ui/incidents/{incident_id}/resolve")
async def resolve(
    request: Request, incident_id: str, who_: Me, csrf: Text = "", reason: Text = ""
) -> Response:
    me = _checked(request, who_, csrf)
    need(request, me, Act.RESOLVE_INCIDENT)
    where = f"/ui/incidents/{quote(incident_id)}"
    records = ui_of(request).app.records
    try:
        closed = await run_in_threadpool(resolve_by_hand, records, incident_id, reason, me)
    except (InputError, NotFoundError) as exc:
        return back(where, error=str(exc))
    return back(where, msg=f"{closed.id} resolved by {me.name}")


def _checked(request: Request, me: Principal, csrf: str) -> Principal:
    if not check_csrf(me, csrf):
        raise Forbidden("the form's CSRF token is missing or stale: reload the page and try again")
    return me


def _login_again(next_path: str, error: str) -> Response:
    return RedirectResponse(
        f"/ui/login?next={quote(safe_next(next_path))}&error={quote(error)}", status_code=303
    )
