"""What routes depend on: the application object, and who is calling (the security schemes).

Every route but ``/healthz`` names its caller through one of the schemes below, as a FastAPI
security dependency, so the OpenAPI document declares them route by route:

- ``userToken`` (HTTP bearer, ``api.users``): people and their scripts. ``allowed_to(act)`` answers
  401 without a valid token, 403 when the holder's role does not allow ``act``
  (``nightowl.app.access``, the one table).
- ``webhookToken`` (HTTP bearer, ``webhooks.tokens``, or the source's HMAC / basic credentials):
  senders of alerts and deploys. These only ingest; ``sources/auth.py`` checks them in the handler,
  so that a refused body is still answered the webhook way (and kept as a dead letter).
- ``slackSignature`` (``X-Slack-Signature``): Slack's signed interactions, checked in the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, cast

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from nightowl.app.access import Act, Principal, token_principal

if TYPE_CHECKING:
    from nightowl.app import Nightowl

USER_TOKEN = HTTPBearer(
    scheme_name="userToken",
    description="A person's token from api.users; their role (ui.users, ui.token_role) decides "
    "what it may do.",
    auto_error=False,
)
WEBHOOK_TOKEN = HTTPBearer(
    scheme_name="webhookToken",
    description="A sender's token from webhooks.tokens (or NIGHTOWL_WEBHOOK_TOKEN), or the "
    "source's configured HMAC signature or basic credentials. Only ingests.",
    auto_error=False,
)
SLACK_SIGNATURE = APIKeyHeader(
    name="X-Slack-Signature",
    scheme_name="slackSignature",
    description="Slack's request signature (with X-Slack-Request-Timestamp), checked against the "
    "Slack notifier's signing_secret.",
    auto_error=False,
)
UNAUTHENTICATED = "send 'Authorization: Bearer <token>' with a token from api.users"
REFUSED: dict[int | str, dict[str, str]] = {
    401: {"description": "missing or unknown bearer token (api.users)"},
    403: {"description": "the token holder's role does not allow this (the answer names the role)"},
}
"""The answers of ``allowed_to``, for a route's ``responses``."""


def nightowl_of(request: Request) -> Nightowl:
    return cast("Nightowl", request.app.state.nightowl)


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(USER_TOKEN)],
) -> Principal:
    """The ``api.users`` person whose bearer token this is, or 401."""
    found = (
        token_principal(nightowl_of(request).settings, credentials.credentials)
        if (credentials is not None and credentials.credentials)
        else None
    )
    if found is None:
        raise HTTPException(401, UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return found


def allowed_to(act: Act) -> Callable[[Request, Principal], Principal]:
    """A dependency: the caller, if their role allows ``act`` (401; 403 otherwise, audited)."""

    def dependency(
        request: Request, principal: Annotated[Principal, Security(caller)]
    ) -> Principal:
        # ForbiddenError → 403 naming the role it takes; the refusal is in the audit trail
        nightowl_of(request).records.guard(principal, act)
        return principal

    dependency.__name__ = f"allowed_to_{act.name.lower()}"
    return dependency


Reader = Annotated[Principal, Security(allowed_to(Act.READ))]
"""A route parameter: a caller who may read (every role)."""


def webhook_sender(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(WEBHOOK_TOKEN)],
) -> None:
    """Declares the ``webhookToken`` scheme; the handler checks the credentials (per source)."""


def slack_sender(signature: Annotated[str | None, Security(SLACK_SIGNATURE)]) -> None:
    """Declares the ``slackSignature`` scheme; the handler verifies the signature."""
