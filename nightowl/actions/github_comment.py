"""``kind: pull_request_comment`` — nightowl's review of a pull request, as one comment on it.

Parameters: ``pr`` (the pull request's number), ``body`` (the comment, Markdown) and ``marker``
(default ``review``): the comment carries ``<!-- nightowl:<marker> -->``, so a pull request has
one nightowl comment per marker, edited in place when the review changes (a new push, a new
plan) instead of a new comment per run. Rollback deletes the comment it created, or puts back
the text it replaced. Through GitHub's REST API (``issues/{n}/comments``: a pull request is an
issue for comments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError

if TYPE_CHECKING:
    from nightowl.actions.github import GitHubPullRequestDriver

KIND = "pull_request_comment"
RADIUS = BlastRadius(summary="a comment on a pull request: no code or resource changes")


def tag(action: ActionSpec) -> str:
    """The hidden line that names nightowl's comment of this marker."""
    marker = str(action.params.get("marker") or "review")
    return f"<!-- nightowl:{marker} -->"


def number(action: ActionSpec, driver: str) -> int:
    """The pull request's number; ActionError when ``pr`` is not a positive integer."""
    raw = action.params.get("pr")
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if value <= 0 or isinstance(raw, bool | float):
        raise ActionError(f"pull_request_comment needs params.pr, got {raw!r}", driver=driver)
    if not str(action.params.get("body") or "").strip():
        raise ActionError("pull_request_comment needs params.body", driver=driver)
    return value


def plan(driver: GitHubPullRequestDriver, action: ActionSpec) -> str:
    """What the comment would do, in a sentence."""
    pr = number(action, driver.name)
    return f"comment on pull request #{pr} of {driver.config.repo} ({tag(action)} kept current)"


async def _mine(
    driver: GitHubPullRequestDriver, gh: httpx.AsyncClient, pr: int, marker: str
) -> dict[str, Any] | None:
    """nightowl's comment of this marker on the pull request, if there is one (first 100)."""
    found = await driver._get(gh, f"issues/{pr}/comments", {"per_page": "100"})
    mine = [c for c in found if isinstance(c, dict) and marker in str(c.get("body") or "")]
    return mine[0] if mine else None


async def apply(
    driver: GitHubPullRequestDriver, action: ActionSpec, *, dry_run: bool
) -> ActionResult:
    """Post the comment, or edit nightowl's comment of the same marker; a dry run reads the pull
    request and its comments and writes nothing. A closed pull request is not commented on."""
    started, pr, marker = now(), number(action, driver.name), tag(action)
    body = f"{marker}\n{action.params['body']}"
    async with driver._client() as gh:
        pull = await driver._get(gh, f"pulls/{pr}")
        if pull.get("state") != "open":
            raise ActionError(f"pull request #{pr} is {pull.get('state')}", driver=driver.name)
        old = await _mine(driver, gh, pr, marker)
        pre: dict[str, Scalar] = {"pr": pr, "comment": old["id"] if old else None}
        pre["previous_body"] = str(old["body"]) if old else None
        if dry_run:
            return dry_run_result(
                action, driver.name, started, pre=pre, plan=plan(driver, action), radius=RADIUS
            )
        if old is None:
            done = await driver._send(gh, "POST", f"issues/{pr}/comments", {"body": body})
        elif old.get("body") != body:
            done = await driver._send(gh, "PATCH", f"issues/comments/{old['id']}", {"body": body})
        else:
            done = old
    post: dict[str, Scalar] = {"pr": pr, "comment": done["id"], "url": done.get("html_url")}
    verb = "commented on" if old is None else "updated its comment on"
    return result(
        action,
        driver.name,
        ActionStatus.SUCCEEDED,
        started,
        pre=pre,
        post=post,
        message=f"{verb} pull request #{pr} ({done.get('html_url')})",
        radius=RADIUS,
    )


async def rollback(driver: GitHubPullRequestDriver, done: ActionResult) -> ActionResult:
    """Delete the comment this action created, or put back the text it replaced."""
    started = now()
    comment, previous = (
        done.post_state.facts.get("comment"),
        done.pre_state.facts.get("previous_body"),
    )
    async with driver._client() as gh:
        if done.pre_state.facts.get("comment") is None:
            await driver._send(gh, "DELETE", f"issues/comments/{comment}", None, ok=(404,))
            message = f"deleted comment {comment}"
        else:
            await driver._send(gh, "PATCH", f"issues/comments/{comment}", {"body": previous})
            message = f"restored comment {comment} as it was"
    return rolled_back(done, driver.name, started, {"comment": comment}, message)
