"""A pull request nightowl reviews: its plan priced and the cost commented on it, through the
real application — the gate, the executor, the GitHub driver (against GitHub's documented REST
answers for issue comments: no GitHub server can run here) and the audit trail."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from nightowl.actions.github import GitHubPullRequestDriver
from nightowl.app import Nightowl
from nightowl.domain.cost import CostDiff, ResourceCost
from nightowl.errors import ConfigError
from nightowl.settings import WatcherConfig
from nightowl.watchers.cost_review import CostReviewWatcher, comment, finding
from tests.actions.test_github_comment import FakeGitHubComments
from tests.conftest import make_settings


def _plan(path: Path, before: str, after: str) -> Path:
    change = {
        "actions": ["update"],
        "before": {"instance_type": before},
        "after": {"instance_type": after},
    }
    doc = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance",
         "name": "web", "change": change},
        {"address": "aws_lambda_function.hook", "mode": "managed",
         "type": "aws_lambda_function", "name": "hook",
         "change": {"actions": ["create"], "before": None, "after": {"runtime": "python3.12"}}},
    ]}  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


def test_the_comment_lists_every_resource_and_what_was_not_priced() -> None:
    priced = CostDiff(
        source="price table",
        resources=(
            ResourceCost(address="aws_instance.web", before=70.08, after=140.16, delta=70.08),
        ),
        unpriced=("aws_lambda_function.hook",),
    )
    body = comment(priced, 7)
    assert body.splitlines()[0].startswith("**nightowl: this change costs +$70.08/month**")
    assert "| `aws_instance.web` | $70.08 | $140.16 | +$70.08 |" in body
    assert "`aws_lambda_function.hook`" in body
    one, other = finding("w", priced, 7), finding("w", priced, 8)
    assert one.proposed
    assert one.proposed.action
    assert one.proposed.action.params["pr"] == 7
    assert one.monthly_cost_delta == 70.08
    assert one.fingerprint != other.fingerprint  # per pull request
    assert one.proposed.action.idempotency_key != other.proposed.action.idempotency_key


def test_bad_options_name_the_option(tmp_path: Path) -> None:
    entry = WatcherConfig(name="c", kind="cost_review", options={"plan": "p.json", "pr": 0})
    with pytest.raises(ConfigError, match=r"options\.pr"):
        CostReviewWatcher.from_config(entry, make_settings(tmp_path))


def test_a_reviewed_pull_request_gets_one_cost_comment_kept_current(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "plan.json", "m5.large", "m5.xlarge")
    options = {"plan": str(plan), "pr": 7}
    watcher = {"name": "cost-pr-7", "kind": "cost_review", "on_finding": "pull_request",
               "min_severity": "info", "service": "infra", "options": options}  # fmt: skip
    github_driver = {"name": "iac", "kind": "github", "repo": "acme/infra", "token": "t"}
    settings = make_settings(
        tmp_path,
        watchers=[watcher],
        actions={"dry_run": False, "drivers": [github_driver], "routes": {"infra": "iac"}},
        policy={"autonomy": "act"},
        cost={"instance_types": {"m5.large": 0.096, "m5.xlarge": 0.192}},
    )
    app, github = Nightowl(settings), FakeGitHubComments()
    for driver in app._raw_drivers:
        if isinstance(driver, GitHubPullRequestDriver):
            driver.transport = httpx.MockTransport(github)
    app.launch()
    try:
        (line,) = asyncio.run(app.watching.run("cost-pr-7")).routed
        assert "commented on pull request #7" in line
        mine = github.comments[2]["body"]
        assert "+$70.08/month" in mine
        assert "`aws_lambda_function.hook`" in mine

        _plan(plan, "m5.large", "m5.large")  # a new push: the resize is gone
        again = asyncio.run(app.watching.run("cost-pr-7"))
        assert "updated its comment" in again.routed[0]
        assert len(again.fixed) == 1  # the old review is superseded
        assert len(github.comments) == 2
        assert "+$0/month" in github.comments[2]["body"]
        proposed = [r for r in app.records.audit_records() if r.kind == "finding.proposed"]
        assert [r.data["action"]["kind"] for r in proposed] == ["pull_request_comment"] * 2
    finally:
        app.shutdown()
