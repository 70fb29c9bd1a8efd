"""Pulumi drift from ``pulumi preview --refresh --expect-no-changes --json`` output in Pulumi's
documented ``PreviewDigest`` format (``pkg/display/json.go``; no Pulumi binary can be installed
here): a listener rule's priority changed by hand is adopted by hand (a Pulumi program is not
HCL), a security group opened by hand is reverted with ``pulumi up --target``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nightowl.errors import WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers import pulumi
from nightowl.watchers.drift import DriftWatcher
from nightowl.watchers.protocol import WatchContext
from tests.watchers.plans import infra_repo

STACK = "urn:pulumi:prod::shop::"
RULE = STACK + "aws:lb/listenerRule:ListenerRule::web"
SG = STACK + "aws:ec2/securityGroup:SecurityGroup::db"


def state(urn: str, type_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
    return {"urn": urn, "custom": True, "id": "x-1", "type": type_, "inputs": inputs,
            "outputs": outputs, "provider": STACK + "pulumi:providers:aws::default"}  # fmt: skip


PREVIEW = {
    "config": {"aws:region": "eu-west-1"},
    "steps": [
        {"op": "same", "urn": STACK + "aws:s3/bucket:Bucket::logs"},
        {"op": "update", "urn": RULE,
         "oldState": state(RULE, "aws:lb/listenerRule:ListenerRule",
                           {"priority": 100, "listenerArn": "arn:l"}, {"priority": 90, "listenerArn": "arn:l"}),
         "newState": state(RULE, "aws:lb/listenerRule:ListenerRule",
                           {"priority": 100, "listenerArn": "arn:l"}, {}),
         "diffReasons": ["priority"],
         "detailedDiff": {"priority": {"kind": "update", "inputDiff": True}}},
        {"op": "update", "urn": SG,
         "oldState": state(SG, "aws:ec2/securityGroup:SecurityGroup", {},
                           {"ingress": [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 5432}]}),
         "newState": state(SG, "aws:ec2/securityGroup:SecurityGroup",
                           {"ingress": [{"cidrBlocks": ["10.0.0.0/8"], "fromPort": 5432}]}, {}),
         "diffReasons": ["ingress"],
         "detailedDiff": {"ingress[0].cidrBlocks[0]": {"kind": "update", "inputDiff": True}}},
    ],
    "duration": 4123000000,
    "changeSummary": {"same": 1, "update": 2},
}  # fmt: skip


def test_update_steps_are_drift_with_only_the_named_properties() -> None:
    rule, sg = pulumi.drifted(json.dumps(PREVIEW), "drift")
    assert (rule.address, rule.type, rule.name, rule.tool) == (
        RULE, "aws:lb/listenerRule:ListenerRule", "web", "pulumi"
    )  # fmt: skip
    assert (rule.code, rule.real) == ({"priority": 100}, {"priority": 90})
    assert list(sg.code) == ["ingress"]  # a nested path is compared at its top property
    assert pulumi.command("pulumi", "prod") == [
        "pulumi", "preview", "--refresh", "--expect-no-changes", "--json", "--non-interactive",
        "--stack", "prod",
    ]  # fmt: skip


def test_error_diagnostics_and_non_documents_are_watcher_errors() -> None:
    failed = {"diagnostics": [{"urn": RULE, "severity": "error",
                               "message": "error: no credentials", "prefix": "error: "}]}  # fmt: skip
    with pytest.raises(WatcherError, match="no credentials"):
        pulumi.drifted(json.dumps(failed), "drift")
    with pytest.raises(WatcherError, match="not JSON"):
        pulumi.drifted("Previewing update (prod):", "drift")
    assert pulumi.drifted(json.dumps({"changeSummary": {"same": 3}}), "drift") == []


def test_the_drift_watcher_adopts_by_hand_and_reverts_with_pulumi_up(tmp_path: Path) -> None:
    saved = tmp_path / "preview.json"
    saved.write_text(json.dumps(PREVIEW))
    options = {"repo": str(infra_repo(tmp_path)), "pulumi_preview": str(saved), "stack": "prod",
               "rules": {"revert": ["aws:ec2/securityGroup*"], "risky": ["aws:ec2/securityGroup*"]}}  # fmt: skip
    watcher = DriftWatcher.from_config(
        WatcherConfig(name="drift", kind="drift", options=options), Settings()
    )
    ctx = WatchContext(now=datetime(2026, 12, 3, tzinfo=UTC), settings=Settings())
    rule, sg = asyncio.run(watcher.check(ctx))
    assert rule.evidence["decision"] == "adopt"
    assert rule.proposed is not None
    assert rule.proposed.summary == "adopt by hand: set priority=90 in the Pulumi program"
    assert rule.proposed.action is None
    assert (sg.evidence["decision"], sg.evidence["risk"]) == ("revert", "high")
    assert sg.proposed is not None
    assert sg.proposed.plan == f"pulumi up --stack prod --target '{SG}'"


def test_a_missing_pulumi_binary_fails_the_run_saying_so(tmp_path: Path) -> None:
    options = {"repo": str(infra_repo(tmp_path)), "pulumi": str(tmp_path / "no-pulumi")}
    watcher = DriftWatcher.from_config(
        WatcherConfig(name="drift", kind="drift", options=options), Settings()
    )
    ctx = WatchContext(now=datetime(2026, 12, 3, tzinfo=UTC), settings=Settings())
    with pytest.raises(WatcherError, match=r"cannot run .*no-pulumi"):
        asyncio.run(watcher.check(ctx))
