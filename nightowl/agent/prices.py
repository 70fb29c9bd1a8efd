"""What a model call costs: a price table per model (USD per million tokens).

The built-in table covers common models at their list prices when this was written; ``llm.prices``
in the settings adds models or overrides a price (a local model is free: give it zeros, or leave it
out — an unknown model costs 0 and is reported as unpriced, so a token budget still applies).
"""

from __future__ import annotations

from nightowl.settings import LlmPrice, LlmSettings

DEFAULT_PRICES: dict[str, LlmPrice] = {
    "gpt-4o": LlmPrice(input=2.50, output=10.00, cache_read=1.25),
    "gpt-4o-mini": LlmPrice(input=0.15, output=0.60, cache_read=0.075),
    "gpt-4.1": LlmPrice(input=2.00, output=8.00, cache_read=0.50),
    "gpt-4.1-mini": LlmPrice(input=0.40, output=1.60, cache_read=0.10),
    "gpt-4.1-nano": LlmPrice(input=0.10, output=0.40, cache_read=0.025),
    "o4-mini": LlmPrice(input=1.10, output=4.40, cache_read=0.275),
    "gpt-5": LlmPrice(input=1.25, output=10.00, cache_read=0.125),
    "gpt-5-mini": LlmPrice(input=0.25, output=2.00, cache_read=0.025),
    "claude-opus-4": LlmPrice(input=15.00, output=75.00, cache_read=1.50),
    "claude-sonnet-4": LlmPrice(input=3.00, output=15.00, cache_read=0.30),
    "claude-3-7-sonnet": LlmPrice(input=3.00, output=15.00, cache_read=0.30),
    "claude-3-5-haiku": LlmPrice(input=0.80, output=4.00, cache_read=0.08),
    "claude-haiku-4-5": LlmPrice(input=1.00, output=5.00, cache_read=0.10),
}
"""List prices per million tokens; a dated model name matches its family by prefix."""


class PriceTable:
    """USD per million tokens of each model: the defaults, overridden by ``llm.prices``."""

    def __init__(self, settings: LlmSettings) -> None:
        self.prices = {**DEFAULT_PRICES, **settings.prices}

    def price(self, model: str) -> LlmPrice | None:
        """The price of ``model``: exact name, else the longest known prefix (dated releases,
        Bedrock ids such as ``anthropic.claude-sonnet-4-…`` are matched by the family name)."""
        if model in self.prices:
            return self.prices[model]
        name = model.split("/")[-1].split(":")[0]
        name = name.split(".", 1)[1] if name.startswith(("anthropic.", "us.", "eu.")) else name
        name = name.split(".", 1)[1] if name.startswith("anthropic.") else name
        known = [k for k in self.prices if name.startswith(k)]
        return self.prices[max(known, key=len)] if known else None

    def cost(self, model: str, input_tokens: int, output_tokens: int, cache_read: int = 0) -> float:
        """USD for one call; cached input tokens at the cache price where the model has one."""
        price = self.price(model)
        if price is None:
            return 0.0
        cached = min(cache_read, input_tokens)
        cache_price = price.input if price.cache_read is None else price.cache_read
        return (
            (input_tokens - cached) * price.input
            + cached * cache_price
            + output_tokens * price.output
        ) / 1_000_000
