"""Drafting a runbook from a memory: what worked, in order, cited; refused when nothing did."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from nightowl.domain.memory import Feedback, Memory, PastAction, Signature, Verdict
from nightowl.errors import InputError
from nightowl.runbooks.draft import draft, held_by, with_prose, worked
from nightowl.runbooks.model import Runbook

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def memory(n: int, *actions: PastAction, recovered: bool | None = True, **said: object) -> Memory:
    feedback = [Feedback(incident_id=f"inc-{n}", author="alice", at=T0, **said)] if said else []
    return Memory(
        incident_id=f"inc-{n}",
        title="checkout errors",
        opened_at=T0,
        signature=Signature(
            alertnames=("HighErrorRate",), services=("checkout",), category="availability"
        ),
        diagnosed_kind="connection_leak",
        diagnosed_service="checkout",
        actions=actions,
        recovered=recovered,
        feedback=tuple(feedback),
    )


def act(kind: str, status: str = "succeeded", dry_run: bool = False) -> PastAction:
    return PastAction(kind=kind, service="checkout", status=status, dry_run=dry_run)


def test_the_draft_holds_what_worked_in_order_and_cites_the_incidents() -> None:
    first = memory(3, act("scale"), act("restart"), act("rollback", status="failed"))
    same = memory(1, act("scale"), act("restart"))
    other = memory(2, act("restart"))  # fixed another way: not cited
    drafted = draft([first, same, other], {"scale", "restart", "rollback"})
    book = Runbook.model_validate(yaml.safe_load(drafted.text))
    assert [getattr(s, "action", None) for s in book.steps] == ["scale", "restart", None]
    assert book.trigger.fault_kinds == ["connection_leak"]
    assert book.trigger.services == ["checkout"]
    assert drafted.sources == ("inc-3", "inc-1")
    assert "inc-3, inc-1" in book.description
    assert book.requires_approval
    assert drafted.problems == ()
    assert drafted.filename == "scale-then-restart-connection-leak-checkout.yaml"


def test_a_fix_by_hand_rated_helped_is_drafted_and_a_rating_against_drops_a_kind() -> None:
    by_hand = memory(4, recovered=None, verdict=Verdict.RATE, action="failover", helped=True)
    assert worked(by_hand) == ["failover"]
    assert draft([by_hand]).sources == ("inc-4",)
    against = memory(5, act("restart"), verdict=Verdict.RATE, action="restart", helped=False)
    with pytest.raises(InputError, match="nothing is known to have fixed inc-5"):
        draft([against])


def test_the_linter_reports_an_action_no_driver_performs() -> None:
    drafted = draft([memory(6, act("reboot_datacenter"))], {"restart"})
    assert any("reboot_datacenter" in p for p in drafted.problems)


def test_nothing_is_drafted_from_what_did_not_recover_or_has_no_cause() -> None:
    with pytest.raises(InputError, match="not verified recovered"):
        draft([memory(7, act("restart"), recovered=False)])
    with pytest.raises(InputError, match="not verified recovered"):
        draft([memory(8, act("restart", dry_run=True), recovered=None)])
    blind = memory(9, act("restart")).model_copy(update={"diagnosed_kind": None})
    with pytest.raises(InputError, match="no known cause"):
        draft([blind])


def test_a_runbook_with_the_same_actions_for_the_kind_already_holds_the_fix() -> None:
    drafted = draft([memory(10, act("scale"), act("restart"))])
    same = Runbook.model_validate(yaml.safe_load(drafted.text)).model_copy(update={"name": "x"})
    other = same.model_copy(update={"name": "y", "steps": same.steps[1:]})
    assert held_by(drafted, "connection_leak", [same, other]) == ("x",)
    assert held_by(drafted, "bad_deploy", [same]) == ()


def test_prose_goes_after_the_description_and_changes_nothing_else() -> None:
    drafted = draft([memory(3, act("restart"))], {"restart"})
    described = with_prose(drafted, "  Restart checkout when its pool leaks.  ")
    before, after = yaml.safe_load(drafted.text), yaml.safe_load(described.text)
    assert (
        after["description"] == before["description"] + "\n\nRestart checkout when its pool leaks."
    )
    assert {k: v for k, v in after.items() if k != "description"} == {
        k: v for k, v in before.items() if k != "description"
    }
    assert described.prose == "Restart checkout when its pool leaks."
    assert with_prose(drafted, " ") == drafted
