"""``POST /api/v1/integrations/slack/interactions``: buttons pressed in Slack — Approve / Deny on
approval requests, and "Diagnosis right" and "<action> helped / did not help" on a finished
incident (incident memory's feedback, which takes the responder role and is audited like the API's).

Slack sends the click as a form with one ``payload`` field (JSON), signed with the app's signing
secret. The request is refused (401) unless its signature verifies against a configured Slack
notifier's ``signing_secret`` within five minutes; the Slack user must be mapped to a nightowl user
(the notifier's ``users``), whose role must allow answering (``nightowl.app.access``: the same
table as the API, UI and CLI) and who must be an approver of the service (``approvals.approvers``,
checked and audited by the approvals package). The answer is acknowledged at once; the message in
Slack is updated through the interaction's ``response_url`` to show who answered.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from nightowl.api.deps import nightowl_of, slack_sender
from nightowl.app import Nightowl
from nightowl.app.access import Principal, named_principal
from nightowl.domain.memory import Feedback, Verdict
from nightowl.errors import AuthError, InputError, NotFoundError
from nightowl.notify.routing import unwrap
from nightowl.notify.slack import (
    APPROVE,
    CONFIRM,
    DENY,
    HELPED,
    UNHELPFUL,
    Interaction,
    SlackAction,
    SlackNotifier,
    answered_blocks,
    parse_interaction,
    verify_signature,
)

router = APIRouter(prefix="/api/v1/integrations/slack", tags=["integrations"])
MAX_BODY_BYTES = 256 * 1024


@router.post(
    "/interactions",
    responses={
        200: {"description": "acknowledged (the outcome is posted to the message in Slack)"},
        400: {"description": "not a readable interaction payload"},
        401: {"description": "the Slack signature is missing, stale or wrong"},
        404: {"description": "no Slack notifier with a signing_secret is configured"},
    },
    dependencies=[Depends(slack_sender)],
    summary="Slack interactivity endpoint: Approve / Deny buttons on approval requests",
)
async def interactions(request: Request) -> Response:
    app = nightowl_of(request)
    body = (await request.body())[:MAX_BODY_BYTES]
    slacks = [
        n
        for n in unwrap(app.notifiers)
        if isinstance(n, SlackNotifier) and n.config.signing_secret is not None
    ]
    if not slacks:
        return _error(404, "no Slack notifier with a signing_secret is configured")
    slack, refusal = _verified(slacks, request, body)
    if slack is None:
        return _error(401, refusal)
    try:
        interaction = parse_interaction(parse_qs(body.decode()).get("payload", [None])[0])
    except (InputError, UnicodeDecodeError) as exc:
        return _error(400, str(exc))
    ours = (APPROVE, DENY, CONFIRM, HELPED, UNHELPFUL)
    action = next((a for a in interaction.actions if a.action_id in ours), None)
    if interaction.type != "block_actions" or action is None:
        return Response(status_code=200)  # not ours: acknowledge and ignore
    user = slack.config.users.get(interaction.user.id)
    slack_name = interaction.user.username or interaction.user.name or interaction.user.id
    me = named_principal(app.settings, user, via="slack") if user is not None else None
    if user is None or me is None:
        line = (
            f"Slack user {slack_name} ({interaction.user.id}) is not mapped to a nightowl user "
            "with a role: add it to the Slack notifier's users, and the user to ui.users or "
            "approvals.approvers"
        )
        return await _reply(slack, interaction, action.value, line, ephemeral=True)
    if action.action_id in (CONFIRM, HELPED, UNHELPFUL):
        return await _feedback(app, slack, interaction, action, me, slack_name)
    approve = action.action_id == APPROVE
    reason = f"{'approved' if approve else 'denied'} in Slack by {slack_name}"
    try:
        decided = await app.answer_approval(action.value, by=me, approve=approve, reason=reason)
    except (AuthError, InputError, NotFoundError) as exc:
        return await _reply(slack, interaction, action.value, f":warning: {exc}", ephemeral=True)
    mark = ":white_check_mark:" if approve else ":no_entry:"
    line = f"{mark} `{decided.id}` {decided.status.value} by {user} (in Slack as {slack_name})"
    return await _reply(slack, interaction, decided.id, line, ephemeral=False)


async def _feedback(
    app: Nightowl,
    slack: SlackNotifier,
    interaction: Interaction,
    action: SlackAction,
    me: Principal,
    slack_name: str,
) -> Response:
    """Record "the diagnosis was right", or a rating of one action (``incident|kind``), as ``me``
    (``Act.FEEDBACK``; audited)."""
    incident_id, _, kind = action.value.partition("|")
    base = {"incident_id": incident_id, "author": me.name, "at": app.clock.now()}
    if action.action_id == CONFIRM:
        given = Feedback(
            **base, verdict=Verdict.CONFIRM, note=f"confirmed in Slack by {slack_name}"
        )
        line = f":white_check_mark: diagnosis of `{incident_id}` confirmed by {me.name}"
    else:
        helped = action.action_id == HELPED
        given = Feedback(**base, verdict=Verdict.RATE, action=kind[:100] or None, helped=helped,
                         note=f"rated in Slack by {slack_name}")  # fmt: skip
        said = "helped" if helped else "did not help"
        line = f":memo: {me.name} says {kind} {said} on `{incident_id}`"
    try:
        await run_in_threadpool(app.records.memory.feedback, me, given)
    except (InputError, NotFoundError) as exc:
        return await _reply(slack, interaction, incident_id, f":warning: {exc}", ephemeral=True)
    rated = None if action.action_id == CONFIRM else action.value  # other ratings stay
    return await _reply(slack, interaction, incident_id, line, ephemeral=False, block="feedback",
                        value=rated)  # fmt: skip


def _verified(
    slacks: list[SlackNotifier], request: Request, body: bytes
) -> tuple[SlackNotifier | None, str]:
    """The notifier whose signing secret signed this request, or why none did."""
    refusal = "no signature"
    for slack in slacks:
        assert slack.config.signing_secret is not None
        try:
            verify_signature(
                slack.config.signing_secret.get_secret_value(),
                request.headers.get("x-slack-request-timestamp"),
                body,
                request.headers.get("x-slack-signature"),
                time.time(),
            )
        except AuthError as exc:
            refusal = str(exc)
            continue
        return slack, ""
    return None, refusal


async def _reply(
    slack: SlackNotifier,
    interaction: Interaction,
    request_id: str,
    line: str,
    *,
    ephemeral: bool,
    block: str = "approval",
    value: str | None = None,
) -> Response:
    """Tell the person in Slack what happened (through ``response_url``), and acknowledge."""
    if interaction.response_url:
        if ephemeral:
            body = {"response_type": "ephemeral", "replace_original": False, "text": line}
        else:
            blocks = answered_blocks(interaction, request_id, line, block=block, value=value)
            body = {"replace_original": True, "text": line, "blocks": blocks}
        await slack.respond(interaction.response_url, body)
    return JSONResponse({"text": line}, status_code=200)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
