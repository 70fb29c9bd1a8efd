"""Who may decide: a service's approvers plus the global ones, and who may turn the kill switch
off (a global approver, or the local operator when no global approver is configured)."""

from __future__ import annotations

from nightowl.approvals.people import approvers_for, global_approvers, may_release_killswitch
from nightowl.settings import ApprovalSettings

SETTINGS = ApprovalSettings(approvers={"checkout": ["ana", "lead"], "*": ["lead", "sre"]})


def test_a_service_has_its_own_approvers_then_the_global_ones_once_each() -> None:
    assert approvers_for(SETTINGS, "checkout") == ("ana", "lead", "sre")
    assert approvers_for(SETTINGS, "payments") == ("lead", "sre")
    assert approvers_for(ApprovalSettings(), "payments") == ()
    assert global_approvers(SETTINGS) == ("lead", "sre")


def test_only_a_global_approver_may_turn_the_kill_switch_off() -> None:
    assert may_release_killswitch(SETTINGS, "sre")
    assert not may_release_killswitch(SETTINGS, "ana")  # approves checkout only
    assert not may_release_killswitch(SETTINGS, "ana", local=True)  # owners exist: not even locally


def test_without_global_approvers_only_the_local_operator_may() -> None:
    settings = ApprovalSettings(approvers={"checkout": ["ana"]})
    assert may_release_killswitch(settings, "operator", local=True)
    assert not may_release_killswitch(settings, "ana")
