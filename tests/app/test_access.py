"""The one table of who may do what (``nightowl.app.access``): every act has a minimum role, every
role below it is refused with a message naming the role, and a person's role is read from the
configuration the same way for the API, the UI, Slack and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.app.access import (
    MINIMUM,
    ORDER,
    Act,
    Principal,
    allowed,
    cli_principal,
    named_principal,
    require,
    role_of,
    token_principal,
)
from nightowl.errors import AuthError, ForbiddenError
from nightowl.settings import Role, Settings


def settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "api": {"users": {"ann": "ann-token", "ted": "ted-token", "vee": "vee-token"}},
            "ui": {"users": {"ann": {"role": "admin"}, "vee": {"role": "viewer"}}},
            "approvals": {"approvers": {"checkout": ["pat", "vee"], "*": ["ann"]}},
            "cli": {"users": {"ops": "responder"}, "default_role": "viewer"},
        }
    )


def test_every_act_has_a_minimum_role() -> None:
    assert set(MINIMUM) == set(Act)
    assert MINIMUM[Act.READ] is Role.VIEWER
    assert MINIMUM[Act.KILLSWITCH_ON] is Role.RESPONDER
    assert MINIMUM[Act.KILLSWITCH_OFF] is Role.APPROVER
    assert MINIMUM[Act.APPROVE] is Role.APPROVER
    assert MINIMUM[Act.PURGE_DEAD_LETTERS] is Role.ADMIN
    assert MINIMUM[Act.FEEDBACK] is Role.RESPONDER  # memory: a human's word on a diagnosis
    assert MINIMUM[Act.FORGET] is Role.ADMIN  # memory holds people's names


@pytest.mark.parametrize("act", list(Act), ids=lambda a: a.name)
@pytest.mark.parametrize("role", ORDER, ids=lambda r: r.value)
def test_a_role_may_do_an_act_exactly_when_it_reaches_the_minimum(act: Act, role: Role) -> None:
    me = Principal("kim", role, "token")
    reaches = ORDER.index(role) >= ORDER.index(MINIMUM[act])

    assert allowed(me, act) is reaches
    if reaches:
        require(me, act)
    else:
        with pytest.raises(ForbiddenError) as refused:
            require(me, act)
        assert refused.value.status_code == 403
        assert str(refused.value).startswith(f"kim ({role.value}) may not {act.value}: ")
        assert f"it takes the {MINIMUM[act].value} role" in str(refused.value)
        assert "ui.users.kim.role" in str(refused.value)


def test_a_cli_refusal_says_where_the_cli_role_is_set() -> None:
    with pytest.raises(ForbiddenError, match=r"set cli\.users\.eve"):
        require(Principal("eve", Role.VIEWER, "cli"), Act.SILENCE)


def test_roles_come_from_ui_users_then_the_token_role_and_approvers_are_approvers(
    tmp_path: Path,
) -> None:
    config = settings(tmp_path)

    assert role_of(config, "ann") is Role.ADMIN  # an admin named as approver stays admin
    assert role_of(config, "ted") is Role.RESPONDER  # api.users only: ui.token_role
    assert role_of(config, "vee") is Role.APPROVER  # a viewer named as approver approves
    assert role_of(config, "pat") is Role.APPROVER  # named in approvals.approvers only
    assert role_of(config, "stranger") is None


def test_a_token_names_its_holder_and_an_unknown_one_no_one(tmp_path: Path) -> None:
    config = settings(tmp_path)

    assert token_principal(config, "ted-token") == Principal("ted", Role.RESPONDER, "token")
    assert token_principal(config, "ted-token ") is None
    assert token_principal(config, "") is None
    assert named_principal(config, "pat", via="slack") == Principal("pat", Role.APPROVER, "slack")
    assert named_principal(config, "stranger", via="slack") is None


def test_the_cli_acts_as_the_token_holder_or_the_os_user_mapped_by_config(tmp_path: Path) -> None:
    config = settings(tmp_path)

    by_token = cli_principal(config, token="ann-token", os_user="ops")
    mapped = cli_principal(config, token=None, os_user="ops")
    default = cli_principal(config, token="", os_user="intern")
    approver = cli_principal(config, token=None, os_user="pat")

    assert by_token == Principal("ann", Role.ADMIN, "cli-token")
    assert mapped == Principal("ops", Role.RESPONDER, "cli")
    assert default == Principal("intern", Role.VIEWER, "cli")
    assert approver == Principal("pat", Role.APPROVER, "cli")
    with pytest.raises(AuthError, match=r"NIGHTOWL_TOKEN is not a token from api\.users"):
        cli_principal(config, token="forged", os_user="ops")
