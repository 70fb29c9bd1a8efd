"""The pull-request driver against GitHub's documented REST responses (httpx.MockTransport: no
GitHub server can run here). The fake keeps refs, files and pulls like the API does."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx
import pytest

from nightowl.actions.github import GitHubConfig, GitHubPullRequestDriver
from nightowl.domain import ActionStatus
from nightowl.errors import ActionError
from tests.actions.conftest import action

REPO = "/repos/acme/infra/"


class FakeGitHub:
    def __init__(self) -> None:
        self.refs = {"main": "base-sha"}
        self.files = {
            ("config/checkout.yaml", "HEAD~1"): b"pool: 10\n",
            ("config/checkout.yaml", "main"): b"pool: 1\n",
        }
        self.pulls: list[dict[str, Any]] = []
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(REPO)
        self.calls.append(f"{request.method} {path}")
        body = json.loads(request.content) if request.content else {}
        if request.method == "GET" and path.startswith("git/ref/heads/"):
            return httpx.Response(
                200,
                json={
                    "ref": f"refs/heads/{path[14:]}",
                    "object": {"sha": self.refs[path[14:]], "type": "commit"},
                },
            )
        if request.method == "POST" and path == "git/refs":
            self.refs[body["ref"].removeprefix("refs/heads/")] = body["sha"]
            return httpx.Response(201, json={"ref": body["ref"], "object": {"sha": body["sha"]}})
        if request.method == "GET" and path.startswith("contents/"):
            ref = request.url.params.get("ref", "main")
            content = self.files.get((path[9:], ref))
            if content is None:
                return httpx.Response(404, json={"message": "Not Found"})
            return httpx.Response(
                200,
                json={
                    "type": "file",
                    "sha": f"sha-{ref}",
                    "content": base64.b64encode(content).decode(),
                    "encoding": "base64",
                },
            )
        if request.method == "PUT" and path.startswith("contents/"):
            self.files[(path[9:], body["branch"])] = base64.b64decode(body["content"])
            return httpx.Response(
                200, json={"content": {"path": path[9:]}, "commit": {"sha": "c1"}}
            )
        if request.method == "GET" and path == "pulls":
            head = request.url.params["head"].split(":", 1)[1]
            return httpx.Response(200, json=[p for p in self.pulls if p["head"]["ref"] == head])
        if request.method == "POST" and path == "pulls":
            pr = {
                "number": len(self.pulls) + 1,
                "html_url": f"https://github.com/acme/infra/pull/{len(self.pulls) + 1}",
                "state": "open",
                "merged": False,
                "head": {"ref": body["head"]},
                "title": body["title"],
            }
            self.pulls.append(pr)
            return httpx.Response(201, json=pr)
        if path.startswith("pulls/"):
            pr = self.pulls[int(path[6:]) - 1]
            if request.method == "PATCH":
                pr.update(body)
            return httpx.Response(200, json=pr)
        if request.method == "DELETE" and path.startswith("git/refs/heads/"):
            self.refs.pop(path[15:], None)
            return httpx.Response(204)
        return httpx.Response(
            404, json={"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        )


def test_opens_a_revert_pull_request_once_and_closes_it_on_rollback() -> None:
    github = FakeGitHub()
    driver = GitHubPullRequestDriver(
        "gh",
        GitHubConfig(repo="acme/infra", token="t", paths=["config/"]),
        httpx.MockTransport(github),
    )
    act = action("pull_request", path="config/checkout.yaml", from_ref="HEAD~1", title="revert")

    dry = asyncio.run(driver.apply(act, dry_run=True))
    assert dry.status is ActionStatus.DRY_RUN
    assert github.pulls == []

    done = asyncio.run(driver.apply(act, dry_run=False))
    again = asyncio.run(driver.apply(act, dry_run=False))
    assert (done.post_state.flat()["pr"], again.post_state.flat()["pr"], len(github.pulls)) == (
        1,
        1,
        1,
    )
    assert github.files[("config/checkout.yaml", "nightowl/key-1")] == b"pool: 10\n"

    undone = asyncio.run(driver.rollback(done))
    assert undone.post_state.flat() == {"pr": 1, "state": "closed"}
    assert github.pulls[0]["state"] == "closed"
    assert "nightowl/key-1" not in github.refs


def test_a_merged_pull_request_is_reverted_by_another() -> None:
    github = FakeGitHub()
    driver = GitHubPullRequestDriver(
        "gh", GitHubConfig(repo="acme/infra", token="t"), httpx.MockTransport(github)
    )
    done = asyncio.run(
        driver.apply(
            action("pull_request", path="config/checkout.yaml", content="pool: 5\n"), dry_run=False
        )
    )
    github.pulls[0]["merged"] = True
    github.files[("config/checkout.yaml", "base-sha")] = b"pool: 1\n"
    undone = asyncio.run(driver.rollback(done))
    assert undone.post_state.flat()["pr"] == 2
    assert github.files[("config/checkout.yaml", "nightowl/key-1-revert")] == b"pool: 1\n"


def test_paths_outside_the_allowlist_are_refused() -> None:
    driver = GitHubPullRequestDriver(
        "gh",
        GitHubConfig(repo="acme/infra", token="t", paths=["config/"]),
        httpx.MockTransport(FakeGitHub()),
    )
    for path in ("secrets/prod.env", "config/../secrets.env"):
        with pytest.raises(ActionError, match="not under an allowed path"):
            asyncio.run(driver.apply(action("pull_request", path=path, content="x"), dry_run=True))
