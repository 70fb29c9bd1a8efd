"""Runbooks as YAML: one built-in per fault kind, lint, decisions, waits, user directories."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.domain import Diagnosis, FaultKind, RootCause
from nightowl.errors import ConfigError
from nightowl.runbooks.catalog import builtin_runbooks, facts_of, load_runbook, load_runbooks, match
from nightowl.runbooks.interpreter import evaluate, interpret, verify_window
from nightowl.runbooks.lint import lint

AT = datetime(2030, 1, 1, tzinfo=UTC)


def diagnosis(kind: str, deploy: str | None = None) -> Diagnosis:
    cause = RootCause(kind=kind, service="checkout", deploy=deploy, summary="s")
    return Diagnosis(
        root_cause=cause, confidence=0.9, explanation="e", hypotheses=(), decided_at=AT
    )


def test_every_fault_kind_has_a_lint_clean_builtin_runbook() -> None:
    books = builtin_runbooks()
    for kind in FaultKind:
        book = match(books, diagnosis(kind.value), None)
        assert book is not None, f"no built-in runbook for {kind}"
        assert lint(book) == []


def test_decisions_resolve_on_incident_facts() -> None:
    [book] = [b for b in builtin_runbooks() if b.name == "crash-loop"]
    with_deploy = facts_of(diagnosis("crash_loop", "v2"), "inc-1", "v1")
    without = facts_of(diagnosis("crash_loop"), "inc-1", None)
    assert [(a.kind, a.params) for a in interpret(book, with_deploy, "inc-1", "r")] == [
        ("rollback", {"to_version": "v1"})
    ]
    assert [a.kind for a in interpret(book, without, "inc-1", "r")] == ["delete_pod"]
    assert verify_window(book, without) is not None


def test_waits_become_read_only_plan_items_and_keys_are_stable() -> None:
    [book] = [b for b in builtin_runbooks() if b.name == "restart-connection-pool"]
    facts = facts_of(diagnosis("connection_pool_exhaustion"), "inc-1", None)
    first = interpret(book, facts, "inc-1", "r")
    assert [(a.kind, a.risk.value) for a in first] == [("restart", "low"), ("wait", "read_only")]
    assert [a.idempotency_key for a in first] == [
        a.idempotency_key for a in interpret(book, facts, "inc-1", "r")
    ]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("$deploy != null", True),
        ("$deploy == v2", True),
        ("$confidence >= 0.95", False),
        ("not $previous_version", True),
        ("$severity == 'critical'", False),
    ],
)
def test_conditions(condition: str, expected: bool) -> None:
    facts = facts_of(diagnosis("bad_deploy", "v2"), "inc-1", None)
    assert evaluate(condition, facts) is expected


def test_user_runbooks_come_first_and_replace_builtins(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: rollback-bad-deploy\ndescription: mine\ntrigger: {fault_kinds: [bad_deploy],"
        " service_labels: {team: shop}, error_pattern: 'OOM|out of memory'}\n"
        "steps: [{action: restart}]\nrollback: nothing\n"
    )
    books = load_runbooks([tmp_path])
    assert [b.description for b in books if b.name == "rollback-bad-deploy"] == ["mine"]
    d = diagnosis("bad_deploy")
    assert (
        match(books, d, None, labels=[{"team": "shop"}], texts=["java: out of memory"]).description
        == "mine"
    )  # type: ignore[union-attr]
    # the user runbook replaced the built-in one, and its labels do not fit: nothing matches
    assert match(books, d, None, labels=[{"team": "ads"}], texts=["OOM"]) is None


def test_lint_names_each_problem_and_the_cli_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\ndescription: d\ntrigger: {}\nsteps:\n"
        "  - action: delete_namespace\n    params: {ns: $namespace}\n"
        "  - decide: {when: 'replicas > 3', then: []}\nrollback: ''\n"
    )
    problems = lint(load_runbook(bad), {"restart"})
    assert any("matches every incident" in p for p in problems)
    assert any("'delete_namespace' is not performed by any driver" in p for p in problems)
    assert any("unknown fact $namespace" in p for p in problems)
    assert any("is not '$fact <op> value'" in p for p in problems)
    assert any("rollback is empty" in p for p in problems)
    result = CliRunner().invoke(app, ["runbook", "lint", str(bad)])
    assert result.exit_code == 1
    assert CliRunner().invoke(app, ["runbook", "lint", "nightowl/runbooks/builtin"]).exit_code == 0


def test_invalid_yaml_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("name: x\nsteps: []\n")
    with pytest.raises(ConfigError, match=r"x\.yaml"):
        load_runbooks([tmp_path])
