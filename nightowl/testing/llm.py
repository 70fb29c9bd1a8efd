"""An in-process scripted LLM: a pydantic-ai FunctionModel that answers from a script.

Needs the ``llm`` extra (pydantic-ai). Hand ``ScriptedLLM(...).model()`` to nightowl's agent (the
``models`` argument of ``nightowl.agent.build.build_investigator``) in place of a provider's model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.usage import RequestUsage

CALL_ID = re.compile(r'call_id="([^"]+)"')
"""How a tool result names its call, for evidence references."""


@dataclass
class Seen:
    """One request the scripted model answered: the role, its turn, the messages and tools."""

    role: str
    turn: int
    messages: list[ModelMessage]
    info: AgentInfo

    def call_ids(self) -> list[str]:
        """The tool call ids the model was shown in tool results, for citing them as evidence."""
        return [
            cid
            for m in self.messages
            if isinstance(m, ModelRequest)
            for p in m.parts
            if isinstance(p, ToolReturnPart) and isinstance(p.content, str)
            for cid in CALL_ID.findall(p.content)
        ]

    def output(self, args: dict[str, Any]) -> ModelResponse:
        """A response calling the run's output tool with ``args``: the agent's structured answer."""
        return reply((self.info.output_tools[0].name, args))


Step = Callable[[Seen], ModelResponse]


@dataclass
class ScriptedLLM:
    """An in-process LLM for nightowl's agent: a pydantic-ai FunctionModel answering from a script.

    ``plan`` maps an agent role (read from the ``Role: NAME`` line of its instructions) to its
    steps; step ``turn`` answers the turn-th request of a run (the last step repeats). A role
    without steps gets ``DEFAULTS`` or, failing that, a narrative output. Every request is kept
    in ``seen``, so a test can check what the model was sent. Not thread-safe."""

    plan: dict[str, list[Step]]
    seen: list[Seen] = field(default_factory=list)

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        role = re.search(r"Role: (\w+)", info.instructions or "")
        name = role.group(1) if role else "unknown"
        turn = sum(1 for m in messages if isinstance(m, ModelResponse))
        seen = Seen(name, turn, list(messages), info)
        self.seen.append(seen)
        steps = self.plan.get(name) or DEFAULTS.get(name) or [lambda s: s.output(NARRATIVE)]
        return steps[min(turn, len(steps) - 1)](seen)

    def model(self) -> FunctionModel:
        """The pydantic-ai model to hand to nightowl's agent."""
        return FunctionModel(self, model_name="scripted")

    def texts(self) -> list[str]:
        """Every piece of text the model was sent, in every request."""
        out = []
        for s in self.seen:
            out.append(s.info.instructions or "")
            for m in s.messages:
                out += [str(getattr(p, "content", "")) for p in m.parts]
                out += [str(getattr(p, "args", "")) for p in m.parts]
        return out


NARRATIVE = {"summary": "s", "status_update": "u", "narrative": "n"}
ROLLBACK = {"kind": "rollback", "service": "checkout", "reason": "v2 broke it"}
DEFAULTS: dict[str, list[Step]] = {
    "remediator": [
        lambda s: reply(("propose_action", ROLLBACK)),
        lambda s: s.output({"actions": [ROLLBACK]}),
    ],
}


def reply(*calls: tuple[str, dict[str, Any]], tokens: tuple[int, int] = (500, 50)) -> ModelResponse:
    """A model response calling ``calls`` (tool name, arguments), metered at ``tokens``."""
    return ModelResponse(
        parts=[ToolCallPart(name, args) for name, args in calls],
        usage=RequestUsage(input_tokens=tokens[0], output_tokens=tokens[1]),
        model_name="scripted",
    )
