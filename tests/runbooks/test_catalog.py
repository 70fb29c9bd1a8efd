"""Runbooks: the built-in ones load, match their fault kinds and plan concrete, keyed actions."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightowl.domain import Category, Diagnosis, Evidence, EvidenceKind, ModelDrift, Risk, RootCause
from nightowl.errors import ConfigError
from nightowl.runbooks.catalog import (
    builtin_runbooks,
    drift_facts,
    facts_of,
    load_runbook,
    match,
    plan,
)
from nightowl.runbooks.model import Runbook

AT = datetime(2026, 11, 20, 3, 3, tzinfo=UTC)


def diagnosis(kind: str, service: str = "checkout", deploy: str | None = None) -> Diagnosis:
    return Diagnosis(
        root_cause=RootCause(kind=kind, service=service, deploy=deploy, summary=f"{kind} here"),
        confidence=0.9,
        explanation="because",
        hypotheses=(),
        decided_at=AT,
    )


def test_the_builtin_runbooks_load() -> None:
    books = builtin_runbooks()
    names = [b.name for b in books]

    assert {"rollback-bad-deploy", "restart-memory-leak", "scale-out-traffic-spike"} <= set(names)
    assert len(names) == len(set(names))
    assert all(b.steps and b.rollback and b.description for b in books)


@pytest.mark.parametrize(
    ("kind", "runbook", "action"),
    [
        ("bad_deploy", "rollback-bad-deploy", "rollback"),
        ("memory_leak", "restart-memory-leak", "restart"),
        ("traffic_spike", "scale-out-traffic-spike", "scale_out"),
    ],
)
def test_each_fault_kind_gets_its_runbook(kind: str, runbook: str, action: str) -> None:
    cause = diagnosis(kind, deploy="v2" if kind == "bad_deploy" else None)
    book = match(builtin_runbooks(), cause, Category.PERFORMANCE)

    assert book is not None
    assert book.name == runbook
    assert [a.kind for a in plan(book, cause, "inc-1", "v1")] == [action]


def test_a_rollback_goes_back_to_the_previous_version() -> None:
    cause = diagnosis("bad_deploy", deploy="v2.4.1")
    book = match(builtin_runbooks(), cause, Category.PERFORMANCE)
    assert book is not None

    [action] = plan(book, cause, "inc-1", "v2.4.0")

    assert (action.kind, action.service) == ("rollback", "checkout")
    assert action.params == {"to_version": "v2.4.0"}
    assert action.runbook == "rollback-bad-deploy"
    assert action.risk is Risk.LOW
    assert "v2.4.1" in action.rollback
    assert "bad_deploy on checkout" in action.reason


def test_a_restart_and_a_scale_out_carry_their_parameters() -> None:
    books = builtin_runbooks()
    leak, spike = diagnosis("memory_leak", "payments"), diagnosis("traffic_spike")
    leak_book, spike_book = match(books, leak, None), match(books, spike, None)
    assert leak_book is not None
    assert spike_book is not None

    [restart] = plan(leak_book, leak, "inc-1", None)
    [scale] = plan(spike_book, spike, "inc-2", None)

    assert (restart.kind, restart.service, restart.params) == (
        "restart",
        "payments",
        {"strategy": "rolling"},
    )
    assert (scale.kind, scale.params) == ("scale_out", {"factor": 2})


def test_no_runbook_for_an_unknown_kind_or_no_root_cause() -> None:
    undiagnosed = Diagnosis(
        root_cause=None, confidence=0.1, explanation="?", hypotheses=(), decided_at=AT
    )

    assert match(builtin_runbooks(), diagnosis("gremlins_in_the_rack"), None) is None
    assert match(builtin_runbooks(), undiagnosed, None) is None


def test_triggers_can_narrow_by_service_and_category() -> None:
    narrow = Runbook.model_validate(
        {
            "name": "payments-only",
            "description": "d",
            "trigger": {
                "fault_kinds": ["bad_deploy"],
                "services": ["payments"],
                "categories": ["performance"],
            },
            "steps": [{"action": "rollback"}],
            "rollback": "r",
        }
    )
    books = [narrow, *builtin_runbooks()]

    assert match(books, diagnosis("bad_deploy", "payments"), Category.PERFORMANCE) == narrow
    chosen = match(books, diagnosis("bad_deploy", "checkout"), Category.PERFORMANCE)
    assert chosen is not None
    assert chosen.name == "rollback-bad-deploy"
    resource = match(books, diagnosis("bad_deploy", "payments"), Category.RESOURCE)
    assert resource is not None
    assert resource.name == "rollback-bad-deploy"


def test_idempotency_keys_are_stable_and_distinct() -> None:
    cause = diagnosis("bad_deploy", deploy="v2.4.1")
    book = match(builtin_runbooks(), cause, None)
    assert book is not None
    two_steps = Runbook.model_validate(
        {
            "name": "rollback-then-restart",
            "description": "d",
            "trigger": {"fault_kinds": ["bad_deploy"]},
            "steps": [{"action": "rollback"}, {"action": "restart"}],
            "rollback": "r",
        }
    )

    first = plan(book, cause, "inc-1", "v2.4.0")
    again = plan(book, cause, "inc-1", "v2.4.0")
    other_incident = plan(book, cause, "inc-2", "v2.4.0")
    both = plan(two_steps, cause, "inc-1", "v2.4.0")

    assert [a.idempotency_key for a in first] == [a.idempotency_key for a in again]
    assert first[0].idempotency_key != other_incident[0].idempotency_key
    assert [a.kind for a in both] == ["rollback", "restart"]
    assert len({a.idempotency_key for a in both}) == 2


def test_a_bad_runbook_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ndescription: d\ntrigger: {}\nsteps: []\nrollback: r\n")

    with pytest.raises(ConfigError) as caught:
        load_runbook(path)

    assert str(path) in str(caught.value)
    assert "steps" in str(caught.value)


def test_a_runbook_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")

    with pytest.raises(ConfigError, match="not valid YAML"):
        load_runbook(path)


def _book_with_pattern(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "oom.yaml"
    path.write_text(
        "name: restart-on-oom\ndescription: restart when the logs say OOM\n"
        f"trigger: {{fault_kinds: [memory_leak], error_pattern: '{pattern}'}}\n"
        "steps: [{action: restart}]\nrollback: nothing to undo\n"
    )
    return path


def test_an_error_pattern_re2_cannot_compile_is_a_config_error_at_load(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_runbook(_book_with_pattern(tmp_path, "(?<!java)OOM"))
    assert "trigger.error_pattern" in str(caught.value)
    assert "RE2" in str(caught.value)


def test_an_error_pattern_searches_log_text_in_linear_time(tmp_path: Path) -> None:
    # Error log lines are written by whatever failed, so they are untrusted text.
    book = load_runbook(_book_with_pattern(tmp_path, "(x+x+)+y"))
    started = time.process_time()
    found = match([book], diagnosis("memory_leak"), None, texts=["x" * 5_000, "x" * 5_000 + "y"])
    assert time.process_time() - started < 0.5
    assert found is not None
    assert found.name == "restart-on-oom"


def test_a_drifted_model_is_rolled_back_first_then_retrained() -> None:
    drift = ModelDrift(model="churn", alias="champion", version="7", column="height_cm")
    seen = Evidence(
        id="drift:churn:height_cm", kind=EvidenceKind.MODEL_DRIFT, service="churn-api",
        summary="drift", source="watcher w", query="ks", detail=drift,
    )  # fmt: skip
    cause = diagnosis("model_drift", service="churn-api", deploy="7")
    facts = facts_of(cause, "inc-1", None) | drift_facts([seen])
    book = match(builtin_runbooks(), cause, None)
    assert book is not None
    assert book.name == "model-drift"
    assert book.requires_approval
    (rollback,) = plan(book, cause, "inc-1", None, facts)
    assert (rollback.kind, rollback.params) == (
        "model_rollback", {"model": "churn", "alias": "champion"},
    )  # fmt: skip
    assert "version 7" in rollback.rollback
    retrain = match(builtin_runbooks(), cause, None, exclude=["model-drift"])
    assert retrain is not None
    assert retrain.name == "retrain-model"
    (call,) = plan(retrain, cause, "inc-1", None, facts)
    assert (call.kind, call.params["hook"], call.params["version"]) == ("webhook", "retrain", "7")
    assert drift_facts([]) == {}
    shift = diagnosis("population_shift", service="churn-api")
    first = match(builtin_runbooks(), shift, None)
    assert first is not None
    assert first.name == "retrain-model"  # the previous version faces the same population
