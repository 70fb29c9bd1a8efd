"""The SSH driver against a real OpenSSH server on loopback: only allowlisted templates run."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nightowl_lab.harness.sshd import SshServer, serve_sshd
from pydantic import ValidationError

from nightowl.actions.ssh import CommandTemplate, SshConfig, SshDriver, SshHost, placeholders
from nightowl.domain import ActionStatus
from nightowl.errors import ActionError
from tests.actions.conftest import action


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from serve_sshd(tmp_path_factory.mktemp("sshd"))


@pytest.fixture
def driver(sshd: SshServer, tmp_path: Path) -> SshDriver:
    marker = tmp_path / "marker"
    config = SshConfig(
        hosts={
            "checkout": SshHost(
                host=sshd.host,
                port=sshd.port,
                user=sshd.user,
                key_file=sshd.client_key,
                known_hosts=sshd.known_hosts,
            )
        },
        templates={
            "touch_marker": CommandTemplate(
                command=f"echo {{value}} >> {marker} && echo done",
                rollback=f"rm -f {marker}",
            ),
            "fail": CommandTemplate(command="exit 3"),
        },
    )
    return SshDriver("ssh", config, tmp_path / "state")


def test_runs_an_allowlisted_template_once_and_rolls_back(
    driver: SshDriver, tmp_path: Path
) -> None:
    act = action("ssh", template="touch_marker", value="v1")
    dry = asyncio.run(driver.apply(act, dry_run=True))
    assert dry.status is ActionStatus.DRY_RUN
    assert not (tmp_path / "marker").exists()

    done = asyncio.run(driver.apply(act, dry_run=False))
    again = asyncio.run(driver.apply(act, dry_run=False))  # a retried step never acts twice

    assert done.status is ActionStatus.SUCCEEDED
    assert done.post_state.flat()["exit_status"] == 0
    assert "done" in str(done.post_state.flat()["output"])
    assert again.message.startswith("already applied")
    assert (tmp_path / "marker").read_text() == "v1\n"
    undone = asyncio.run(driver.rollback(done))
    assert undone.status is ActionStatus.ROLLED_BACK
    assert not (tmp_path / "marker").exists()


def test_a_failing_command_is_recorded_as_failed(driver: SshDriver) -> None:
    done = asyncio.run(driver.apply(action("ssh", key="k-fail", template="fail"), dry_run=False))
    assert (done.status, done.post_state.flat()["exit_status"]) == (ActionStatus.FAILED, 3)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"template": "rm -rf /"}, "not in the allowlist"),
        ({"template": "delete_namespace"}, "not in the allowlist"),
        ({"template": "touch_marker", "value": "x; rm -rf /"}, "does not match"),
        ({"template": "touch_marker"}, "does not match"),
    ],
)
def test_refuses_anything_outside_the_allowlist_before_connecting(
    driver: SshDriver, params: dict[str, str], expected: str
) -> None:
    with pytest.raises(ActionError, match=expected):
        asyncio.run(driver.apply(action("ssh", **params), dry_run=False))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ({"command": "rm -rf /var/log/{path"}, "expected '}' before end of string"),
        ({"command": "echo }"}, "Single '}' encountered"),
        ({"command": "kill {0}"}, "placeholder {0} must be a plain name"),
        ({"command": "echo {service.__class__}"}, "placeholder {service.__class__} must be"),
        ({"command": "echo {service!r}"}, "placeholder {service} must be a plain name"),
        ({"command": "true", "rollback": "echo {x:>9}"}, "placeholder {x} must be a plain name"),
        ({"command": "echo {service}", "patterns": {"sevrice": "[a-z]+"}}, "patterns for sevrice"),
    ],
)
def test_a_template_that_could_not_render_is_refused_when_the_config_loads(
    template: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(expected)):
        CommandTemplate.model_validate(template)


def test_literal_braces_and_named_placeholders_are_kept() -> None:
    template = CommandTemplate(command="awk '{{print $1}}' /var/log/{service}.log")
    assert placeholders(template.command) == {"service"}
