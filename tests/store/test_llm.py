"""The agent's journal: model calls kept once per (incident, run, seq) so a re-run step answers
from them, the spend summed per incident, and tool calls and runs replaced when re-recorded."""

from __future__ import annotations

from datetime import timedelta

from nightowl.store import IncidentStore
from nightowl.store.llm import AgentRun, LlmCall, LlmStore, Spend, ToolCallRecord
from tests.store.samples import T0


def call(seq: int, incident: str = "inc-1", *, tokens: int = 100, answer: str = "a") -> LlmCall:
    return LlmCall(
        incident_id=incident, run_key="diagnose-1", seq=seq, role="DIAGNOSER", model="gpt-4.1",
        input_tokens=tokens, output_tokens=tokens // 10, cost_usd=tokens / 1000, response=answer,
        at=T0 + timedelta(seconds=seq),
    )  # fmt: skip


def test_a_recorded_call_is_found_again_and_never_overwritten(store: IncidentStore) -> None:
    llm = LlmStore(store.engine)
    assert llm.recorded("inc-1", "diagnose-1", 0) is None
    llm.record_call(call(0, answer="first"))
    llm.record_call(call(0, answer="second"))  # a crashed step retried: the first answer stands
    found = llm.recorded("inc-1", "diagnose-1", 0)
    assert found is not None
    assert found.response == "first"
    assert found == call(0, answer="first")


def test_calls_come_in_order_and_the_spend_is_summed_per_incident(store: IncidentStore) -> None:
    llm = LlmStore(store.engine)
    for seq in (2, 0, 1):
        llm.record_call(call(seq, tokens=100 * (seq + 1)))
    llm.record_call(call(0, incident="inc-2", tokens=5000))
    assert [c.seq for c in llm.calls("inc-1")] == [0, 1, 2]
    spent = llm.spent("inc-1")
    assert (spent.calls, spent.input_tokens, spent.output_tokens) == (3, 600, 60)
    assert abs(spent.cost_usd - 0.6) < 1e-9
    assert spent.tokens == 660
    assert llm.spent("inc-9") == Spend()


def tool_call(call_id: str, seconds: int, output: str) -> ToolCallRecord:
    return ToolCallRecord(
        incident_id="inc-1", call_id=call_id, run_key="diagnose-1", role="DIAGNOSER",
        tool="metrics", args={"service": "checkout"}, ok=True, output=output,
        at=T0 + timedelta(seconds=seconds),
    )  # fmt: skip


def test_tool_calls_are_replaced_by_a_rerun_and_listed_oldest_first(store: IncidentStore) -> None:
    llm = LlmStore(store.engine)
    llm.record_tool_call(tool_call("c2", 20, "p99 1.2s"))
    llm.record_tool_call(tool_call("c1", 10, "first attempt"))
    llm.record_tool_call(tool_call("c1", 10, "second attempt"))
    assert [(t.call_id, t.output) for t in llm.tool_calls("inc-1")] == [
        ("c1", "second attempt"),
        ("c2", "p99 1.2s"),
    ]


def run(key: str, outcome: str, seconds: int, won: bool = False) -> AgentRun:
    return AgentRun(
        incident_id="inc-1", run_key=key, role="DIAGNOSER", version="v3", model="gpt-4.1",
        outcome=outcome, won=won, at=T0 + timedelta(seconds=seconds),
    )  # fmt: skip


def test_runs_are_replaced_by_key_and_listed_oldest_first(store: IncidentStore) -> None:
    llm = LlmStore(store.engine)
    llm.record_run(run("narrate-1", "completed", 30))
    llm.record_run(run("diagnose-1", "failed", 10))
    llm.record_run(run("diagnose-1", "completed", 10, won=True))
    assert [(r.run_key, r.outcome, r.won) for r in llm.runs("inc-1")] == [
        ("diagnose-1", "completed", True),
        ("narrate-1", "completed", False),
    ]
    assert llm.runs("inc-2") == []
