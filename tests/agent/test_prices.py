"""The price table: USD per million tokens by model name, dated and Bedrock ids matched by family,
cached input at the cache price, overrides from the settings, unknown models free."""

from __future__ import annotations

import pytest

from nightowl.agent.prices import PriceTable
from nightowl.settings import LlmSettings


def llm(**values: object) -> LlmSettings:
    return LlmSettings.model_validate(values)


def test_prices_per_model_with_overrides() -> None:
    table = PriceTable(
        llm(provider="openai", model="gpt-4o", prices={"llama3.1": {"input": 0, "output": 0}})
    )
    assert table.cost("gpt-4o", 1_000_000, 0) == pytest.approx(2.50)
    assert table.cost("gpt-4o-2024-08-06", 0, 1_000_000) == pytest.approx(10.0)  # dated release
    assert table.cost("gpt-4o", 1_000_000, 0, cache_read=1_000_000) == pytest.approx(1.25)
    assert table.cost("anthropic.claude-sonnet-4-20250514-v1:0", 1_000_000, 0) == pytest.approx(3.0)
    assert table.cost("llama3.1", 10**6, 10**6) == 0.0
    assert table.cost("some-unknown-model", 10**6, 10**6) == 0.0
