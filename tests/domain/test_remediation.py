"""Typed action state: the facts other stages read are fields; a driver's own facts stay apart."""

from __future__ import annotations

from nightowl.domain import ActionSpec, ActionState
from nightowl.domain.remediation import Risk


def test_a_flat_mapping_is_read_into_fields_and_facts() -> None:
    state = ActionState.model_validate({"replicas": 3, "version": "v2", "pid": 42, "branch": "fix"})
    assert (state.replicas, state.version) == (3, "v2")
    assert state.facts == {"pid": 42, "branch": "fix"}
    assert state.flat() == {"replicas": 3, "version": "v2", "pid": 42, "branch": "fix"}


def test_values_of_the_wrong_type_stay_facts() -> None:
    state = ActionState.model_validate({"replicas": "three", "version": 2})
    assert (state.replicas, state.version) == (None, None)
    assert state.facts == {"replicas": "three", "version": 2}


def test_the_typed_form_round_trips() -> None:
    state = ActionState(replicas=4, facts={"hook": "failover"})
    assert ActionState.model_validate_json(state.model_dump_json()) == state
    assert ActionState.model_validate({}) == ActionState()


def test_an_action_is_described_in_words_not_as_a_dict() -> None:
    def spec(**params: str | int) -> ActionSpec:
        return ActionSpec(
            kind="rollback",
            service="checkout",
            params=params,
            runbook="bad-deploy",
            risk=Risk.LOW,
            reason="the deploy broke it",
            rollback="redeploy v2.4.1",
            idempotency_key="k",
        )

    assert spec(to_version="v2.4.0").describe() == "rollback checkout (to_version=v2.4.0)"
    assert spec(to_version="v2.4.0", replicas=3).describe() == (
        "rollback checkout (to_version=v2.4.0, replicas=3)"
    )
    assert spec().describe() == "rollback checkout"
