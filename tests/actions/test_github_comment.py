"""``pull_request_comment`` against GitHub's documented REST responses for issue comments
(``GET/POST /repos/{o}/{r}/issues/{n}/comments``, ``PATCH/DELETE .../issues/comments/{id}``;
httpx.MockTransport: no GitHub server can run here)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from nightowl.actions.github import GitHubConfig, GitHubPullRequestDriver
from nightowl.domain import ActionStatus
from nightowl.errors import ActionError
from tests.actions.conftest import action
from tests.actions.test_github import REPO, FakeGitHub


class FakeGitHubComments(FakeGitHub):
    """FakeGitHub with one open pull request (#7) and its issue comments."""

    def __init__(self) -> None:
        super().__init__()
        self.pulls = [{"number": n, "state": "closed" if n == 6 else "open"} for n in range(1, 8)]
        self.comments: dict[int, dict[str, Any]] = {
            1: {"id": 1, "body": "LGTM", "user": {"login": "dana"}, "html_url": "u#1"}
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(REPO)
        body = json.loads(request.content) if request.content else {}
        if path == "issues/7/comments" and request.method == "GET":
            self.calls.append(f"GET {path}")
            return httpx.Response(200, json=list(self.comments.values()))
        if path == "issues/7/comments" and request.method == "POST":
            self.calls.append(f"POST {path}")
            new = max(self.comments) + 1
            self.comments[new] = {"id": new, "body": body["body"], "html_url": f"u#{new}"}
            return httpx.Response(201, json=self.comments[new])
        if path.startswith("issues/comments/"):
            self.calls.append(f"{request.method} {path}")
            comment = int(path.rsplit("/", 1)[1])
            if request.method == "DELETE":
                self.comments.pop(comment)
                return httpx.Response(204)
            self.comments[comment]["body"] = body["body"]
            return httpx.Response(200, json=self.comments[comment])
        return super().__call__(request)


@pytest.fixture
def github() -> FakeGitHubComments:
    return FakeGitHubComments()


def _driver(github: FakeGitHubComments) -> GitHubPullRequestDriver:
    config = GitHubConfig(repo="acme/infra", token="t")
    return GitHubPullRequestDriver("gh", config, httpx.MockTransport(github))


def test_one_comment_per_marker_kept_current_and_rolled_back(github: FakeGitHubComments) -> None:
    driver = _driver(github)
    first = action("pull_request_comment", pr=7, body="+$70.08/month", marker="cost")
    dry = asyncio.run(driver.apply(first, dry_run=True))
    assert dry.status is ActionStatus.DRY_RUN
    assert len(github.comments) == 1
    assert "comment on pull request #7 of acme/infra" in dry.message

    done = asyncio.run(driver.apply(first, dry_run=False))
    assert done.post_state.facts["comment"] == 2
    assert github.comments[2]["body"] == "<!-- nightowl:cost -->\n+$70.08/month"

    second = action("pull_request_comment", key="key-2", pr=7, body="-$5.00/month", marker="cost")
    updated = asyncio.run(driver.apply(second, dry_run=False))
    assert len(github.comments) == 2
    assert "-$5.00" in github.comments[2]["body"]
    assert updated.message.startswith("updated its comment on pull request #7")
    assert github.comments[1]["body"] == "LGTM"  # a person's comment is never touched

    asyncio.run(driver.rollback(updated))
    assert "+$70.08" in github.comments[2]["body"]
    asyncio.run(driver.rollback(done))
    assert list(github.comments) == [1]


def test_a_closed_pull_request_or_bad_params_are_refused(github: FakeGitHubComments) -> None:
    driver = _driver(github)
    with pytest.raises(ActionError, match="is closed"):
        asyncio.run(driver.apply(action("pull_request_comment", pr=6, body="x"), dry_run=True))
    for params in ({"pr": "seven", "body": "x"}, {"pr": 7, "body": " "}, {"pr": True, "body": "x"}):
        with pytest.raises(ActionError, match="needs params"):
            asyncio.run(driver.apply(action("pull_request_comment", **params), dry_run=True))
    assert not any(call.startswith(("POST", "PATCH")) for call in github.calls)
