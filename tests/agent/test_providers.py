"""Providers from config: each builds its model, tiers fall back to the model, a missing SDK
says what to install, prompt caching where supported, and real model calls blocked in tests."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.bedrock import BedrockConverseModel
from pydantic_ai.models.openai import OpenAIChatModel

from nightowl.agent.providers import INSTALL, build_model, model_name, model_settings
from nightowl.errors import ConfigError
from nightowl.settings import LlmSettings, load_settings


def llm(**values: object) -> LlmSettings:
    return LlmSettings.model_validate(values)


def test_none_is_the_default_and_a_provider_needs_a_model(tmp_path: Path) -> None:
    assert load_settings(data_dir=tmp_path, environ={}).llm.provider == "none"
    with pytest.raises(ValueError, match=r"needs llm\.model"):
        llm(provider="openai")
    with pytest.raises(ValueError, match=r"needs llm\.base_url"):
        llm(provider="openai-compatible", model="llama3.1")


def test_each_provider_builds_its_model() -> None:
    local = build_model(
        llm(provider="openai-compatible", model="qwen2.5", base_url="http://127.0.0.1:11434/v1"),
        "strong",
    )
    assert isinstance(local, OpenAIChatModel)
    assert local.model_name == "qwen2.5"
    assert "127.0.0.1:11434" in str(local.client.base_url)
    openai = build_model(llm(provider="openai", model="gpt-4o", api_key="sk-x"), "cheap")
    assert isinstance(openai, OpenAIChatModel)
    claude = build_model(
        llm(
            provider="anthropic",
            models={"cheap": "claude-3-5-haiku", "strong": "claude-sonnet-4-0"},
            api_key="k",
        ),
        "strong",
    )
    assert isinstance(claude, AnthropicModel)
    assert claude.model_name == "claude-sonnet-4-0"
    bedrock = build_model(
        llm(provider="bedrock", model="anthropic.claude-sonnet-4-v1:0", region="eu-west-1"), "cheap"
    )
    assert isinstance(bedrock, BedrockConverseModel)


def test_tiers_fall_back_to_the_model() -> None:
    settings = llm(provider="openai", model="gpt-4o", models={"cheap": "gpt-4o-mini"})
    assert (model_name(settings, "cheap"), model_name(settings, "strong")) == (
        "gpt-4o-mini",
        "gpt-4o",
    )


def test_a_missing_sdk_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pydantic_ai.models.anthropic", None)
    with pytest.raises(ConfigError, match="pip install 'nightowl\\[llm\\]'") as caught:
        build_model(llm(provider="anthropic", model="claude-sonnet-4-0", api_key="k"), "cheap")
    assert INSTALL in str(caught.value)


def test_prompt_caching_where_the_provider_supports_it() -> None:
    anthropic = model_settings(llm(provider="anthropic", model="claude-sonnet-4-0"))
    assert anthropic.get("anthropic_cache_instructions") is True
    assert anthropic.get("anthropic_cache_tool_definitions") is True
    off = model_settings(llm(provider="anthropic", model="claude-sonnet-4-0", prompt_cache=False))
    assert "anthropic_cache_instructions" not in off
    assert "bedrock_cache_instructions" in model_settings(llm(provider="bedrock", model="m"))


def test_real_model_calls_are_blocked_in_tests() -> None:
    with pytest.raises((httpx.ConnectError, OSError)):
        httpx.get("https://api.openai.com/v1/models", timeout=2)
