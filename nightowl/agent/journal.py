"""Every model call through one wrapper: redacted, within budget, metered, journaled, replayable.

``JournaledModel`` wraps the provider's model (as pydantic-ai's own ``DBOSModel`` does) and, per
request of a run, numbered ``seq`` 1, 2, …:

1. replays the answer recorded under (incident, run, seq) if there is one — the step that ran it was
   interrupted by a crash after the call completed, so it is neither repeated nor paid again;
2. stops the run (``BudgetExhausted``) when the incident's tokens or cost reached the budget;
3. redacts every text part of the request (what the model sees leaves the process only here);
4. calls the model, prices the answer, and records it before the agent may use it.

Why not ``DBOSAgent``: nightowl's stages already run as DBOS steps, and DBOS runs a step called
inside a step as a plain function, so pydantic-ai's DBOS model steps would not be checkpointed
there. The journal gives the same guarantee inside the diagnose step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
)
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

from nightowl.agent import metering
from nightowl.agent.prices import PriceTable
from nightowl.clock import Clock
from nightowl.errors import NightowlError
from nightowl.settings import LlmBudget
from nightowl.store.llm import LlmCall, LlmStore, Spend
from nightowl.telemetry import Span, current_span, meters, span


class BudgetExhausted(NightowlError):
    """The incident's LLM budget is spent: the investigation stops, what is known stands."""


@dataclass
class CallContext:
    """What one run's calls share: where to record them, the run's key and role, the prices and
    budget, the redactor and the clock, and the counts of calls replayed and paid for.
    """

    store: LlmStore
    incident_id: str
    run_key: str
    role: str
    model_name: str
    prices: PriceTable
    budget: LlmBudget
    redact: Callable[[str], str]
    clock: Clock
    seq: int = 0
    replayed: int = 0
    paid: int = 0


class JournaledModel(WrapperModel):
    """A pydantic-ai model wrapped so that every call is journaled: a recorded answer is
    replayed, the incident's budget is checked before paying, messages are redacted, and the
    answer, tokens and cost are recorded.
    """

    def __init__(self, wrapped: Model, ctx: CallContext) -> None:
        super().__init__(wrapped)
        self.ctx = ctx

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        """Answer from the journal when this call was made before; otherwise check the budget
        (BudgetExhausted when spent), send the redacted messages and record the answer. Each
        call is a span named as the OpenTelemetry GenAI conventions say (``chat <model>``).
        """
        ctx = self.ctx
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": ctx.model_name,
            "nightowl.llm.role": ctx.role,
        }
        with span(f"chat {ctx.model_name}", attributes) as traced:
            began = time.perf_counter()
            response = await self._request(messages, model_settings, model_request_parameters)
            duration = time.perf_counter() - began
            meters.observe(meters.LLM_SECONDS.labels(ctx.model_name, ctx.role), duration)
            _describe(traced, response)
            return response

    async def _request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        ctx = self.ctx
        ctx.seq += 1
        recorded = ctx.store.recorded(ctx.incident_id, ctx.run_key, ctx.seq)
        if recorded is not None:
            ctx.replayed += 1
            current_span().set("nightowl.llm.replayed", True)
            metering.CALLS.labels(ctx.model_name, ctx.role, "replayed").inc()
            return _load(recorded.response)
        spent = ctx.store.spent(ctx.incident_id)
        if spent.tokens >= ctx.budget.max_tokens or spent.cost_usd >= ctx.budget.max_cost_usd:
            metering.CALLS.labels(ctx.model_name, ctx.role, "budget").inc()
            raise BudgetExhausted(
                f"LLM budget of the incident spent ({spent.tokens} tokens, "
                f"${spent.cost_usd:.4f}; limits {ctx.budget.max_tokens} tokens, "
                f"${ctx.budget.max_cost_usd:.2f})"
            )
        clean = [redact_message(m, ctx.redact) for m in messages]
        response = await super().request(clean, model_settings, model_request_parameters)
        self._record(response, spent)
        return response

    def _record(self, response: ModelResponse, spent: Spend) -> None:
        ctx = self.ctx
        usage = response.usage
        tokens_in, tokens_out = usage.input_tokens, usage.output_tokens
        cost = ctx.prices.cost(ctx.model_name, tokens_in, tokens_out, usage.cache_read_tokens)
        ctx.store.record_call(
            LlmCall(
                incident_id=ctx.incident_id,
                run_key=ctx.run_key,
                seq=ctx.seq,
                role=ctx.role,
                model=ctx.model_name,
                input_tokens=tokens_in,
                output_tokens=tokens_out,
                cache_read_tokens=usage.cache_read_tokens,
                cost_usd=cost,
                response=ModelMessagesTypeAdapter.dump_json([response]).decode(),
                at=ctx.clock.now(),
            )
        )
        ctx.paid += 1
        metering.CALLS.labels(ctx.model_name, ctx.role, "called").inc()
        metering.TOKENS.labels(ctx.model_name, ctx.role, "input").inc(tokens_in)
        metering.TOKENS.labels(ctx.model_name, ctx.role, "output").inc(tokens_out)
        metering.COST.labels(ctx.model_name, ctx.role).inc(cost)
        metering.BUDGET_USED.set(
            max(
                _share(spent.tokens + tokens_in + tokens_out, ctx.budget.max_tokens),
                _share(spent.cost_usd + cost, ctx.budget.max_cost_usd),
            )
        )
        current_span().set("nightowl.llm.cost_usd", cost)


def _share(used: float, limit: float) -> float:
    """``used`` of ``limit``, at most 1 (a limit of 0 is spent from the start)."""
    return 1.0 if limit <= 0 else min(1.0, used / limit)


def _describe(traced: Span, response: ModelResponse) -> None:
    """The GenAI attributes of an answer: model, tokens, finish reason and the tools it asks."""
    usage = response.usage
    traced.set("gen_ai.response.model", response.model_name)
    traced.set("gen_ai.usage.input_tokens", usage.input_tokens)
    traced.set("gen_ai.usage.output_tokens", usage.output_tokens)
    if response.finish_reason:
        traced.set("gen_ai.response.finish_reasons", [str(response.finish_reason)])
    tools = [p.tool_name for p in response.parts if isinstance(p, ToolCallPart)]
    traced.set("nightowl.llm.tool_calls", tools)


def redact_message(message: ModelMessage, redact: Callable[[str], str]) -> ModelMessage:
    """A copy of ``message`` whose text (prompts, tool results, retries, instructions) is redacted."""
    if isinstance(message, ModelRequest):
        parts = [
            _with_content(p, redact(text))
            if isinstance(text := getattr(p, "content", None), str)
            else p
            for p in message.parts
        ]
        instructions = redact(message.instructions) if message.instructions else None
        return replace(message, parts=parts, instructions=instructions)
    return replace(
        message,
        parts=[
            replace(p, content=redact(p.content)) if isinstance(p, TextPart) else p
            for p in message.parts
        ],
    )


def _with_content(part: Any, content: str) -> Any:
    """A copy of a message part with other text (parts are dataclasses with ``content``)."""
    return replace(part, content=content)


def _load(response: str) -> ModelResponse:
    loaded = ModelMessagesTypeAdapter.validate_json(response)[0]
    assert isinstance(loaded, ModelResponse)
    return loaded
