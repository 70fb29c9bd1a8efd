"""Providers from config: the model (wire format) and the provider (endpoint, credentials), as
pydantic-ai separates them, imported lazily — a missing SDK says what to ``pip install``.

``openai`` and ``openai-compatible`` (vLLM, Ollama, llama.cpp, LM Studio, TGI: any chat-completions
server at ``base_url``) speak OpenAI chat completions; ``anthropic`` the Messages API; ``bedrock``
the Converse API (AWS credentials from the usual chain, ``region`` from the settings).
"""

from __future__ import annotations

from typing import Literal

from pydantic_ai.exceptions import UserError
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from nightowl.errors import ConfigError
from nightowl.settings import LlmSettings

Tier = Literal["cheap", "strong"]
INSTALL = "pip install 'nightowl[llm]'"


def model_name(llm: LlmSettings, tier: Tier) -> str:
    """The model name of ``tier`` (the tier's own, else ``llm.model``); ConfigError when neither
    is set.
    """
    name = (llm.models.cheap if tier == "cheap" else llm.models.strong) or llm.model
    if not name:
        raise ConfigError(f"no model for the {tier} tier", where="llm.models")
    return name


def build_model(llm: LlmSettings, tier: Tier) -> Model:
    """The pydantic-ai model of ``tier``. ConfigError for a missing SDK or credentials."""
    name = model_name(llm, tier)
    key = llm.api_key.get_secret_value() if llm.api_key else None
    try:
        if llm.provider in ("openai", "openai-compatible"):
            from pydantic_ai.models.openai import OpenAIChatModel
            from pydantic_ai.providers.openai import OpenAIProvider

            # Local servers take any key; the SDK insists on one.
            if key is None and llm.provider == "openai-compatible":
                key = "unused"
            return OpenAIChatModel(
                name, provider=OpenAIProvider(base_url=llm.base_url, api_key=key)
            )
        if llm.provider == "anthropic":
            from pydantic_ai.models.anthropic import AnthropicModel
            from pydantic_ai.providers.anthropic import AnthropicProvider

            return AnthropicModel(name, provider=AnthropicProvider(api_key=key))
        if llm.provider == "bedrock":
            from pydantic_ai.models.bedrock import BedrockConverseModel
            from pydantic_ai.providers.bedrock import BedrockProvider

            return BedrockConverseModel(name, provider=BedrockProvider(region_name=llm.region))
    except ImportError as exc:
        raise ConfigError(
            f"the {llm.provider} provider needs an SDK that is not installed "
            f"({exc.name or exc}): {INSTALL}",
            where="llm.provider",
        ) from None
    except UserError as exc:
        raise ConfigError(f"{llm.provider}: {exc}", where="llm") from None
    raise ConfigError(f"no model provider {llm.provider!r}", where="llm.provider")


def model_settings(llm: LlmSettings) -> ModelSettings:
    """Timeouts, and prompt caching where the provider supports it: the instructions and tool
    definitions of a role are the same for every incident, so they are cached."""
    if llm.prompt_cache and llm.provider == "anthropic":
        from pydantic_ai.models.anthropic import AnthropicModelSettings

        return AnthropicModelSettings(
            timeout=llm.timeout_seconds,
            anthropic_cache_instructions=True,
            anthropic_cache_tool_definitions=True,
        )
    if llm.prompt_cache and llm.provider == "bedrock":
        from pydantic_ai.models.bedrock import BedrockModelSettings

        return BedrockModelSettings(
            timeout=llm.timeout_seconds,
            bedrock_cache_instructions=True,
            bedrock_cache_tool_definitions=True,
        )
    # OpenAI caches long prompt prefixes by itself; nothing to ask for.
    return ModelSettings(timeout=llm.timeout_seconds)
