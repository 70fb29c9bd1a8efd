"""Settings of the optional LLM layer: provider, models, prices and budgets."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from nightowl.settings.base import Section, http_url


class LlmModels(Section):
    """Model names per tier: a cheap one for routing and summaries, a strong one for diagnosis."""

    cheap: str | None = Field(default=None, description="Default: llm.model.")
    strong: str | None = Field(default=None, description="Default: llm.model.")


class LlmPrice(Section):
    """USD per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0, description="Default: input.")


class LlmBudget(Section):
    max_tokens: int = Field(default=200_000, ge=0, description="Per incident, every call included.")
    max_cost_usd: float = Field(default=1.0, ge=0, description="Per incident, every call included.")
    max_requests: int = Field(default=12, ge=1, description="Model requests per agent run.")


class LlmSettings(Section):
    """The optional LLM agent (docs/llm.md). ``none``: deterministic analysis only."""

    provider: Literal["none", "openai", "openai-compatible", "anthropic", "bedrock"] = "none"
    model: str | None = None
    models: LlmModels = LlmModels()
    base_url: str | None = Field(
        default=None, description="openai-compatible: the server's /v1 URL."
    )
    api_key: SecretStr | None = None
    _base_url = field_validator("base_url")(http_url)
    region: str | None = Field(default=None, description="bedrock: the AWS region.")
    timeout_seconds: float = Field(default=60.0, gt=0)
    budget: LlmBudget = LlmBudget()
    prices: dict[str, LlmPrice] = Field(
        default_factory=dict, description="Model → price, over the built-in table."
    )
    prompt_cache: bool = Field(default=True, description="Where the provider supports it.")
    redact_ips: bool = False
    redact_hostnames: bool = False
    tool_output_chars: int = Field(default=4000, ge=200, description="Per tool result.")
    version: str = Field(default="v1", description="Prompt and tool-definition version.")
    canary_version: str | None = None
    canary_percent: float = Field(default=0.0, ge=0, le=100)

    @model_validator(mode="after")
    def _complete(self) -> LlmSettings:
        if self.provider != "none" and not (
            self.model or (self.models.cheap and self.models.strong)
        ):
            raise ValueError(
                f"provider {self.provider} needs llm.model (or llm.models.cheap and strong)"
            )
        if self.provider == "openai-compatible" and not self.base_url:
            raise ValueError(
                "provider openai-compatible needs llm.base_url (e.g. http://localhost:11434/v1)"
            )
        return self
