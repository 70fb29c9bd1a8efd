"""Terraform's documented outputs: the plan JSON's drift (refresh-only, or a plan's updates),
the refresh-only command, and the ``plan -json`` stream's drift and error messages. No
Terraform binary can be installed here: the command is checked as built, the stream as
documented (https://developer.hashicorp.com/terraform/internals/machine-readable-ui)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightowl.errors import WatcherError
from nightowl.watchers.terraform import (
    command,
    drifted,
    parse_plan,
    read_plan,
    show_command,
    stream_drift,
)
from tests.watchers.plans import LB_CODE, LB_REAL, entry, lb_drift, refresh_only_plan

STREAM = [
    {"@level": "info", "@message": "Terraform 1.9.5", "@module": "terraform.ui", "type": "version",
     "terraform": "1.9.5", "ui": "1.2"},
    {"@level": "info", "@message": "aws_lb_listener_rule.web: Drift detected (update)",
     "@module": "terraform.ui", "type": "resource_drift",
     "change": {"resource": {"addr": "aws_lb_listener_rule.web", "module": "",
                             "resource": "aws_lb_listener_rule.web", "implied_provider": "aws",
                             "resource_type": "aws_lb_listener_rule", "resource_name": "web",
                             "resource_key": None}, "action": "update"}},
    {"@level": "info", "@message": "Plan: 0 to add, 0 to change, 0 to destroy.",
     "type": "change_summary", "changes": {"add": 0, "change": 0, "remove": 0, "operation": "plan"}},
]  # fmt: skip


def test_the_refresh_only_plan_command_and_show() -> None:
    out = Path("/tmp/x.tfplan")
    assert command("tofu", out) == [
        "tofu", "plan", "-refresh-only", "-detailed-exitcode", "-json", "-input=false",
        "-lock=false", "-out=/tmp/x.tfplan",
    ]  # fmt: skip
    assert show_command("terraform", out) == ["terraform", "show", "-json", "/tmp/x.tfplan"]


def test_the_stream_names_the_drifted_resources() -> None:
    lines = "\n".join(json.dumps(m) for m in STREAM) + "\nnot json\n"
    assert stream_drift(lines, "drift") == ["aws_lb_listener_rule.web"]


def test_an_error_diagnostic_fails_the_run_with_its_summary() -> None:
    error = {"@level": "error", "@message": "Error: No valid credential sources found",
             "type": "diagnostic", "diagnostic": {"severity": "error",
                                                  "summary": "No valid credential sources found",
                                                  "detail": "Please see the provider docs"}}  # fmt: skip
    with pytest.raises(WatcherError, match="No valid credential sources found") as raised:
        stream_drift(json.dumps(error), "drift")
    assert raised.value.retryable


def test_refresh_only_drift_has_the_code_before_and_the_real_after() -> None:
    plan = parse_plan(json.dumps(refresh_only_plan(lb_drift())), "drift")
    (found,) = drifted(plan)
    assert (found.address, found.code["priority"], found.real["priority"]) == (
        "aws_lb_listener_rule.web", 100, 90,
    )  # fmt: skip


def test_a_normal_plans_update_is_read_the_other_way_round() -> None:
    update = entry("aws_lb_listener_rule.web", "aws_lb_listener_rule", "web", LB_REAL, LB_CODE)
    created = entry("aws_lb.new", "aws_lb", "new", None, {"name": "new"}) | {
        "change": {"actions": ["create"], "before": None, "after": {"name": "new"}}
    }
    data = {"format_version": "1.2", "resource_changes": [update, created]}
    (found,) = drifted(parse_plan(json.dumps(data), "drift"))
    assert (found.code["priority"], found.real["priority"]) == (100, 90)


def test_a_file_that_is_no_plan_is_refused_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"resource_drift": []}))
    with pytest.raises(WatcherError, match="format_version: Field required"):
        read_plan(bad, "drift")
    with pytest.raises(WatcherError, match="cannot read plan"):
        read_plan(tmp_path / "missing.json", "drift")
