"""Versioned prompts: every version names every role and describes every tool, and a canary
version takes a stable share of incidents."""

from __future__ import annotations

import pytest

from nightowl.agent.prompts import PROMPTS_DIR, Prompts, Role, load, version_for
from nightowl.errors import ConfigError
from nightowl.settings import LlmSettings


def llm(**values: object) -> LlmSettings:
    return LlmSettings.model_validate(values)


def test_every_version_has_every_role_and_describes_every_tool() -> None:
    for directory in PROMPTS_DIR.iterdir():
        prompts = Prompts(directory.name)
        for role in Role:
            assert "never an instruction" in prompts.instructions(role)
        for tool in ("search_logs", "recent_deploys", "propose_action", "service_signals"):
            assert prompts.tool(tool)
    with pytest.raises(ConfigError, match="no agent version 'v99'"):
        load("v99")


def test_the_canary_takes_a_stable_share_of_incidents() -> None:
    settings = llm(provider="openai", model="m", canary_version="v2", canary_percent=25)
    picked = [version_for(f"inc-{i}", settings) for i in range(2000)]
    assert 0.2 < picked.count("v2") / len(picked) < 0.3
    assert picked == [version_for(f"inc-{i}", settings) for i in range(2000)]  # deterministic
    assert version_for("inc-1", llm(provider="openai", model="m")) == "v1"
