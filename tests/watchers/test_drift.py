"""The drift watcher on a real git repository and a plan JSON in Terraform's documented format:
a hand-changed load-balancer rule becomes an adopt pull request with its diff; a security group
opened by hand is reverted; and, through the application, the adopt pull request is reviewed
(an approval) and opened by the GitHub driver (GitHub's documented REST answers,
httpx.MockTransport: no GitHub server can run here; the fake is the driver tests' own)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from nightowl.actions.github import GitHubPullRequestDriver
from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.domain import Risk, Severity
from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Role, Settings, WatcherConfig
from nightowl.watchers.drift import DriftWatcher
from nightowl.watchers.protocol import WatchContext
from tests.actions.test_github import FakeGitHub
from tests.conftest import make_settings
from tests.watchers.plans import (
    LB_ARN,
    git,
    infra_repo,
    lb_drift,
    refresh_only_plan,
    sg_drift,
    write_plan,
)

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
TRAIL = {
    "Records": [
        {
            "eventTime": "2026-12-02T22:14:05Z",
            "eventName": "ModifyRule",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ana"},
            "requestParameters": {"ruleArn": LB_ARN},
        }
    ]
}


def watcher(tmp_path: Path, **options: object) -> DriftWatcher:
    repo = infra_repo(tmp_path)
    plan = write_plan(tmp_path, refresh_only_plan(lb_drift(), sg_drift()))
    events = tmp_path / "trail.json"
    events.write_text(json.dumps(TRAIL))
    given = {"repo": str(repo), "plan": str(plan), "repo_path": "infra", "events": str(events)}
    config = WatcherConfig(name="drift", kind="drift", options=given | options)
    return DriftWatcher.from_config(config, Settings())


def test_a_hand_changed_rule_is_adopted_and_an_opened_group_reverted(tmp_path: Path) -> None:
    found = asyncio.run(watcher(tmp_path).check(WatchContext(now=NOW, settings=Settings())))
    lb, sg = found
    assert lb.resource == "aws_lb_listener_rule.web"
    assert lb.evidence["decision"] == "adopt"
    assert lb.evidence["attributes"] == "condition[0].path_pattern[0].values, priority"
    assert lb.evidence["changed_by"] == "arn:aws:iam::123456789012:user/ana"
    assert lb.evidence["code_commit"] == git(tmp_path / "infra", "rev-parse", "HEAD")
    assert lb.proposed is not None
    assert lb.proposed.action is not None
    assert "-  priority     = 100 # below the catch-all" in lb.proposed.diff
    assert "+  priority     = 90 # below the catch-all" in lb.proposed.diff
    assert lb.proposed.diff.startswith("--- a/infra/lb.tf\n+++ b/infra/lb.tf\n")
    assert lb.proposed.action.params["path"] == "infra/lb.tf"
    assert lb.proposed.action.risk is Risk.LOW
    assert (sg.evidence["decision"], sg.severity) == ("revert", Severity.HIGH)
    assert sg.proposed is not None
    assert sg.proposed.action is None
    assert sg.proposed.plan == "terraform apply -target=aws_security_group.db"
    assert (tmp_path / "infra" / "lb.tf").read_text().count("priority     = 100") == 1  # untouched


def test_the_rules_decide_per_address(tmp_path: Path) -> None:
    rules = {"default": "revert", "adopt": ["aws_lb_listener_rule.*"], "revert": []}
    lb, sg = asyncio.run(
        watcher(tmp_path, rules=rules).check(WatchContext(now=NOW, settings=Settings()))
    )
    assert (lb.evidence["decision"], sg.evidence["decision"]) == ("adopt", "revert")


def test_bad_options_and_an_unreadable_plan_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"give options\.plan or options\.binary"):
        DriftWatcher.from_config(
            WatcherConfig(name="d", kind="drift", options={"repo": "."}), Settings()
        )
    with pytest.raises(ConfigError, match=r"options\.rules\.default"):
        DriftWatcher.from_config(
            WatcherConfig(
                name="d",
                kind="drift",
                options={"repo": ".", "plan": "p", "rules": {"default": "x"}},
            ),
            Settings(),
        )
    broken = watcher(tmp_path, plan=str(tmp_path / "none.json"))
    with pytest.raises(WatcherError, match="cannot read plan"):
        asyncio.run(broken.check(WatchContext(now=NOW, settings=Settings())))


def test_a_missing_binary_fails_the_run_saying_so(tmp_path: Path) -> None:
    run = watcher(tmp_path, plan=None, binary=str(tmp_path / "no-terraform"))
    with pytest.raises(WatcherError, match="cannot run"):
        asyncio.run(run.check(WatchContext(now=NOW, settings=Settings())))


def test_the_adopt_pull_request_is_reviewed_then_opened(tmp_path: Path) -> None:
    repo = infra_repo(tmp_path)
    plan = write_plan(tmp_path, refresh_only_plan(lb_drift()))
    drift = {
        "name": "infra-drift",
        "kind": "drift",
        "on_finding": "pull_request",
        "service": "infra",
    }
    drift["options"] = {"repo": str(repo), "plan": str(plan), "repo_path": "infra"}
    github = {
        "name": "iac",
        "kind": "github",
        "repo": "acme/infra",
        "token": "t",
        "paths": ["infra/"],
    }
    settings = make_settings(
        tmp_path / "data",
        watchers=[drift],
        actions={"dry_run": False, "drivers": [github], "routes": {"infra": "iac"}},
        approvals={"approvers": {"infra": ["ana"]}},
    )
    app = Nightowl(settings)
    fake = FakeGitHub()
    for driver in app._raw_drivers:
        if isinstance(driver, GitHubPullRequestDriver):
            driver.transport = httpx.MockTransport(fake)
    app.launch()
    try:
        done = asyncio.run(app.watching.run("infra-drift"))
        (line,) = done.routed
        assert "requested from ana" in line
        assert fake.pulls == []
        (request,) = app.records.approvals()
        assert "infra/lb.tf" in request.plan
        reviewer = Principal("ana", Role.APPROVER, "cli")
        asyncio.run(
            app.answer_approval(request.id, by=reviewer, approve=True, reason="matches the console")
        )
        (pr,) = fake.pulls
        assert pr["title"] == "drift: adopt aws_lb_listener_rule.web"
        content = fake.files[("infra/lb.tf", pr["head"]["ref"])].decode()
        assert "priority     = 90 # below the catch-all" in content
        kinds = [r.kind for r in app.records.audit_records()]
        assert {"watch.run", "finding.proposed", "approval.approved", "action"} <= set(kinds)
    finally:
        app.shutdown()
