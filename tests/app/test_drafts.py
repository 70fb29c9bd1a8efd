"""Drafting and proposing a runbook from a real incident (API, store, DBOS workflow, simulated
cluster: the bad deploy is rolled back and verified recovered) through the gate and the GitHub
pull-request driver, against GitHub's documented REST answers (httpx.MockTransport: no GitHub
server can run here; the fake is the driver tests' own)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from nightowl.actions.github import GitHubPullRequestDriver
from nightowl.agent.build import build_investigator
from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.app.drafts import described, draft_for, propose_draft
from nightowl.domain import Incident, Verdict
from nightowl.errors import ForbiddenError
from nightowl.runbooks.model import Runbook
from nightowl.settings import LlmSettings, Role
from nightowl.store.llm import LlmStore
from nightowl.testing.llm import ScriptedLLM
from tests.actions.test_github import FakeGitHub
from tests.approvals.flow import page, settings_for

GITHUB = {"name": "runbooks-repo", "kind": "github", "repo": "acme/infra", "token": "t"}
ROUTES = {"runbooks": "runbooks-repo"}  # the simulated world would take pull requests too
ALICE = Principal("alice", Role.RESPONDER, "cli")


@pytest.fixture(scope="module")
def paged(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Nightowl, Incident, FakeGitHub]]:
    tmp = Path(tmp_path_factory.mktemp("drafts"))
    drivers = [GITHUB | {"paths": ["runbooks/"]}]
    app = Nightowl(
        settings_for(tmp, actions={"dry_run": False, "drivers": drivers, "routes": ROUTES})
    )
    github = FakeGitHub()
    for driver in app._raw_drivers:
        if isinstance(driver, GitHubPullRequestDriver):
            driver.transport = httpx.MockTransport(github)
    app.launch()
    try:
        yield app, page(app), github
    finally:
        app.shutdown()


def test_the_draft_is_what_fixed_the_incident(
    paged: tuple[Nightowl, Incident, FakeGitHub],
) -> None:
    app, incident, _ = paged
    assert incident.verification is not None
    assert incident.verification.recovered
    drafted = draft_for(app, incident.id, {"rollback", "restart", "scale"})
    book = Runbook.model_validate(yaml.safe_load(drafted.text))
    assert [getattr(s, "action", None) for s in book.steps] == ["rollback", None]
    assert book.trigger.fault_kinds == ["bad_deploy"]
    assert book.trigger.services == ["checkout"]
    assert incident.id in book.description
    assert drafted.problems == ()
    assert drafted.held_by == ("rollback-bad-deploy",)  # the built-in runbook that fixed it


def test_a_dry_run_proposal_shows_the_file_and_diff_and_writes_nothing(
    paged: tuple[Nightowl, Incident, FakeGitHub],
) -> None:
    app, incident, github = paged
    drafted = draft_for(app, incident.id)
    app.executor.dry_run = True  # as actions.dry_run: true (the default) would
    try:
        shown = asyncio.run(propose_draft(app, drafted, incident.id, by=ALICE))
    finally:
        app.executor.dry_run = False
    assert not shown.written
    assert shown.outcome.startswith("dry run")
    assert f"+++ b/runbooks/{drafted.filename}" in shown.diff
    assert f"+name: {drafted.name}" in shown.diff
    assert github.pulls == []
    kinds = [r.kind for r in app.audit.records(incident_id=incident.id)]
    assert "runbook.draft_proposed" in kinds


def test_an_allowed_proposal_opens_one_pull_request_with_the_draft(
    paged: tuple[Nightowl, Incident, FakeGitHub],
) -> None:
    app, incident, github = paged
    drafted = draft_for(app, incident.id)
    done = asyncio.run(propose_draft(app, drafted, incident.id, by=ALICE))
    assert done.decision.verdict is Verdict.ALLOW, done.decision.reasons
    assert done.written
    assert done.outcome == "pull_request runbooks: succeeded"
    assert [p["title"] for p in github.pulls] == [f"runbook: {drafted.name}"]
    branch = github.pulls[0]["head"]["ref"]
    assert github.files[(f"runbooks/{drafted.filename}", branch)] == drafted.text.encode()


def test_a_viewer_may_not_propose(paged: tuple[Nightowl, Incident, FakeGitHub]) -> None:
    app, incident, _ = paged
    drafted = draft_for(app, incident.id)
    with pytest.raises(ForbiddenError):
        asyncio.run(
            propose_draft(app, drafted, incident.id, by=Principal("vic", Role.VIEWER, "cli"))
        )


def test_with_an_llm_the_draft_gets_the_agents_prose_within_the_incidents_budget(
    paged: tuple[Nightowl, Incident, FakeGitHub],
) -> None:
    """The scripted model (nightowl.testing) as the configured agent's communicator."""
    app, incident, _ = paged
    drafted = draft_for(app, incident.id)
    assert asyncio.run(described(app, drafted, incident.id)) == drafted  # no llm.provider
    prose = {"summary": "Roll back checkout's bad deploy.", "prose": "Check the canary first."}
    script = ScriptedLLM({"communicator": [lambda s: s.output(prose)]})
    app.agent = build_investigator(
        app.settings.model_copy(update={"llm": LlmSettings(provider="openai", model="scripted")}),
        LlmStore(app.store.engine), app.clock, redactor=app.redactor,
        models={"cheap": script.model(), "strong": script.model()},
    )  # fmt: skip
    try:
        shown = asyncio.run(described(app, drafted, incident.id))
    finally:
        app.agent = None
    book = Runbook.model_validate(yaml.safe_load(shown.text))
    assert book.description.startswith(yaml.safe_load(drafted.text)["description"])
    assert "Roll back checkout's bad deploy.\n\nCheck the canary first." in book.description
    assert book.steps == Runbook.model_validate(yaml.safe_load(drafted.text)).steps
    runs = LlmStore(app.store.engine).runs(incident.id)
    assert [r.outcome for r in runs if r.run_key == "runbook:communicator"] == ["completed"]
