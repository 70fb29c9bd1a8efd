"""A pull request that changes several files (``params.files``: ``go.mod`` with ``go.sum``),
against GitHub's documented REST answers (the driver tests' FakeGitHub: no GitHub here)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from nightowl.actions.github import GitHubConfig, GitHubPullRequestDriver
from nightowl.errors import ActionError
from tests.actions.conftest import action
from tests.actions.test_github import FakeGitHub


def test_every_file_is_put_on_the_branch_and_a_merged_one_reverted_whole() -> None:
    github = FakeGitHub()
    config = GitHubConfig(repo="acme/infra", token="t", paths=["svc/"])
    driver = GitHubPullRequestDriver("gh", config, httpx.MockTransport(github))
    extra = json.dumps({"svc/go.sum": "x v2 h1:abc=\n"})
    act = action("pull_request", path="svc/go.mod", content="require x v2\n", files=extra)
    assert driver.plan(act).endswith("changing svc/go.mod and svc/go.sum (with new content)")
    done = asyncio.run(driver.apply(act, dry_run=False))
    assert github.files[("svc/go.mod", "nightowl/key-1")] == b"require x v2\n"
    assert github.files[("svc/go.sum", "nightowl/key-1")] == b"x v2 h1:abc=\n"

    github.pulls[0]["merged"] = True
    github.files |= {
        ("svc/go.mod", "base-sha"): b"require x v1\n",
        ("svc/go.sum", "base-sha"): b"x v1\n",
    }
    asyncio.run(driver.rollback(done))
    assert github.files[("svc/go.mod", "nightowl/key-1-revert")] == b"require x v1\n"
    assert github.files[("svc/go.sum", "nightowl/key-1-revert")] == b"x v1\n"


def test_a_further_file_outside_the_allowed_paths_is_refused() -> None:
    config = GitHubConfig(repo="acme/infra", token="t", paths=["svc/"])
    driver = GitHubPullRequestDriver("gh", config, httpx.MockTransport(FakeGitHub()))
    for files in (json.dumps({"secrets/.env": "x"}), "not json"):
        act = action("pull_request", path="svc/go.mod", content="x", files=files)
        with pytest.raises(ActionError):
            asyncio.run(driver.apply(act, dry_run=True))
