"""Building the agent: without the llm extra installed it says what to install."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nightowl.errors import ConfigError


def test_without_the_llm_extra_the_agent_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from nightowl.agent.build import build_investigator
    from nightowl.clock import SystemClock
    from nightowl.settings import Settings
    from nightowl.store import IncidentStore
    from nightowl.store.llm import LlmStore

    monkeypatch.setitem(sys.modules, "nightowl.agent.investigator", None)
    settings = Settings.model_validate(
        {"data_dir": str(tmp_path), "llm": {"provider": "openai", "model": "gpt-4o"}}
    )
    store = IncidentStore.open(settings.store_url)
    try:
        with pytest.raises(ConfigError, match=r"pip install 'nightowl\[llm\]'"):
            build_investigator(settings, LlmStore(store.engine), SystemClock())
    finally:
        store.close()
