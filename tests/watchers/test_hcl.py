"""Editing HCL in place: only the changed values' spans move, the file still parses to the real
state, computed values and nested maps are left to a human."""

from __future__ import annotations

import hcl2
import pytest

from nightowl.watchers.hcl import Unrenderable, changed_paths, edit, find_resource, render
from tests.watchers.plans import LB_CODE, LB_REAL, LB_TF, infra_repo


def test_the_changed_paths_follow_nested_blocks_and_compare_maps_whole() -> None:
    code = LB_CODE | {"tags": {"team": "web"}}
    real = LB_REAL | {"tags": {"team": "web", "owner": "ana"}}
    assert changed_paths(code, real) == {
        ("condition", 0, "path_pattern", 0, "values"): ["/api/*", "/v2/*"],
        ("priority",): 90,
        ("tags",): {"team": "web", "owner": "ana"},
    }


def test_an_edit_changes_only_the_values_and_round_trips() -> None:
    done = edit(LB_TF, "aws_lb_listener_rule", "web", changed_paths(LB_CODE, LB_REAL))
    assert done.changed == ["condition[0].path_pattern[0].values", "priority"]
    before, after = LB_TF.splitlines(), done.text.splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("  priority     = 100 # below the catch-all", "  priority     = 90 # below the catch-all"),
        ('      values = ["/api/*"]', '      values = ["/api/*", "/v2/*"]'),
    ]
    parsed = hcl2.loads(done.text)["resource"][0]['"aws_lb_listener_rule"']['"web"']
    assert parsed["priority"] == 90
    assert parsed["condition"][0]["path_pattern"][0]["values"] == ['"/api/*"', '"/v2/*"']
    again = edit(done.text, "aws_lb_listener_rule", "web", changed_paths(LB_CODE, LB_REAL))
    assert again.text == done.text  # editing to the same values changes nothing more


def test_a_computed_value_is_never_overwritten_with_a_literal() -> None:
    done = edit(LB_TF, "aws_lb_listener_rule", "web", {("listener_arn",): "arn:x"})
    assert done.changed == []
    assert "expression" in done.skipped["listener_arn"]
    assert done.text == LB_TF


def test_a_missing_attribute_is_added_after_the_last_one_indented_alike() -> None:
    done = edit(LB_TF, "aws_lb_listener_rule", "web", {("tags",): {"team": "web"}})
    assert '  priority     = 100 # below the catch-all\n  tags = { team = "web" }\n' in done.text


def test_values_render_as_hcl_literals_with_templates_escaped() -> None:
    assert render("a ${b} %{c}") == '"a $${b} %%{c}"'
    assert (render(None), render(True), render(1.5), render([1, "x"])) == (
        "null",
        "true",
        "1.5",
        '[1, "x"]',
    )
    assert render({"a b": 2, "k-1": 3}) == '{ "a b" = 2, k-1 = 3 }'
    with pytest.raises(Unrenderable):
        render([{"a": 1}])


def test_bad_hcl_and_an_absent_resource_are_errors() -> None:
    with pytest.raises(ValueError, match="does not parse"):
        edit('resource "a" {', "a", "b", {})
    with pytest.raises(ValueError, match='no resource "aws_lb" "web"'):
        edit(LB_TF, "aws_lb", "web", {})


def test_the_resource_is_found_among_the_repositorys_files(tmp_path: object) -> None:
    from pathlib import Path

    repo = infra_repo(Path(str(tmp_path)))
    (repo / ".terraform").mkdir()
    (repo / ".terraform" / "copy.tf").write_text(LB_TF)
    found = find_resource(repo, "aws_lb_listener_rule", "web")
    assert found is not None
    assert found[0] == repo / "lb.tf"
    assert find_resource(repo, "aws_lb_listener_rule", "nope") is None
