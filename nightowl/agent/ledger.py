"""Every tool call of an agent run, with an id: what evidence references must point to.

A call gets its id before it runs (``<run tag>.<n>``, deterministic, so a run replayed after a crash
numbers its calls the same way), its output is framed as data (``tooldata.frame``), and the record
(arguments, success, what the model was shown) is kept in the store before the model sees it.
A failing backend is an answer too ("failed: …"), never an error of the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from nightowl.agent.tooldata import frame, suspicious
from nightowl.clock import Clock
from nightowl.domain import Scalar
from nightowl.errors import NightowlError
from nightowl.redaction import Redactor
from nightowl.store.llm import LlmStore, ToolCallRecord

CALL_TIMEOUT_SECONDS = 15.0


@dataclass
class Ledger:
    """The tool calls of one run, numbered ``<tag>.<n>`` so the model's evidence can cite them;
    each call is recorded (redacted) as soon as it answers.
    """

    incident_id: str
    run_key: str
    tag: str
    role: str
    store: LlmStore
    clock: Clock
    redact: Redactor
    limit: int
    calls: list[ToolCallRecord] = field(default_factory=list)

    async def call(
        self, tool: str, args: Mapping[str, Scalar], read: Callable[[], Awaitable[str]]
    ) -> str:
        """Run one read, record it, and return its framed output for the model."""
        call_id = f"{self.tag}.{len(self.calls) + 1}"
        # Reserve the id at once: a concurrent call must not take the same number.
        self.calls.append(self._record(call_id, tool, args, ok=False, output=""))
        try:
            text, ok = await asyncio.wait_for(read(), CALL_TIMEOUT_SECONDS), True
        except TimeoutError:
            text, ok = f"failed: no answer within {CALL_TIMEOUT_SECONDS:g}s", False
        except NightowlError as exc:
            text, ok = f"failed: {exc}", False
        shown = frame(
            call_id, tool, text or "(nothing found)", limit=self.limit, redact=self.redact
        )
        record = self._record(call_id, tool, args, ok=ok, output=shown)
        record = record.model_copy(update={"suspicious": suspicious(text)})
        index = next(i for i, c in enumerate(self.calls) if c.call_id == call_id)
        self.calls[index] = record
        self.store.record_tool_call(record)
        return shown

    def _record(
        self, call_id: str, tool: str, args: Mapping[str, Scalar], *, ok: bool, output: str
    ) -> ToolCallRecord:
        return ToolCallRecord(
            incident_id=self.incident_id,
            call_id=call_id,
            run_key=self.run_key,
            role=self.role,
            tool=tool,
            args={k: self.redact(v) if isinstance(v, str) else v for k, v in args.items()},
            ok=ok,
            output=output,
            at=self.clock.now(),
        )
