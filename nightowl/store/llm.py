"""What the LLM agent spent and did, per call and per incident: the journal of model calls (which
also makes an interrupted investigation resumable without paying twice), the tool calls the
evidence references point to, and one record per agent run (version, engine, rejections).

A model call is written once its answer has arrived and before the agent uses it; a re-run of the
same step finds it under (incident, run, seq) and replays it instead of asking the model again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Engine, Float, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from nightowl.domain import Model
from nightowl.store.sessions import Sessions, put_row, upsert
from nightowl.store.tables import Base, UTCDateTime


class LlmCallRow(Base):
    """One LLM call of an agent run, numbered by ``seq`` within the run: what a replay answers
    from.
    """

    __tablename__ = "llm_calls"

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cache_read_tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float)
    response: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class LlmToolCallRow(Base):
    """One tool the agent called, keyed by the model's call id; the full record is in ``body``."""

    __tablename__ = "llm_tool_calls"

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class LlmRunRow(Base):
    """One agent run on an incident: how it ended, whether its opinion won, and the whole
    ``AgentRun``.
    """

    __tablename__ = "llm_runs"

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(32))
    won: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class LlmCall(Model):
    """One completed model call: tokens, cost, and the answer (pydantic-ai messages JSON)."""

    incident_id: str
    run_key: str
    seq: int
    role: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cost_usd: float
    response: str
    at: datetime


class ToolCallRecord(Model):
    """One tool call of the agent; its ``call_id`` is what evidence references cite."""

    incident_id: str
    call_id: str
    run_key: str
    role: str
    tool: str
    args: dict[str, str | int | float | bool | None]
    ok: bool
    output: str
    """What the model was shown (redacted, size-limited)."""
    suspicious: bool = False
    """The output seemed to address the model (a suspected prompt injection)."""
    at: datetime


class AgentRun(Model):
    """One agent run on an incident: which prompt version and model, what came of it."""

    incident_id: str
    run_key: str
    role: str
    version: str
    model: str
    outcome: str
    """completed, rejected (invalid output), budget (stopped at the budget) or failed."""
    engine: str | None = None
    """diagnose runs: which engine decided the diagnosis (deterministic or llm)."""
    won: bool = False
    rejections: dict[str, int] = {}
    """Rejected model output by reason: invented_tool, invalid_arguments, unsupported_claim, ..."""
    tool_calls: int = 0
    detail: str = ""
    output: str = ""
    """The validated output (JSON), when the run produced one."""
    at: datetime


class Spend(Model):
    """What the LLM cost for one incident: calls, tokens in and out, and US dollars
    (``agent/prices``).
    """

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def tokens(self) -> int:
        """Input plus output tokens of every call."""
        return self.input_tokens + self.output_tokens


class LlmStore:
    """The agent's journal and ledger. Thread-safe; every write is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = Sessions(engine)

    def recorded(self, incident_id: str, run_key: str, seq: int) -> LlmCall | None:
        """The call ``seq`` of run ``run_key`` if one was recorded: a re-run step answers from it
        instead of paying for the call again.
        """
        with self.sessions.read() as session:
            row = session.get(LlmCallRow, (incident_id, run_key, seq))
            return None if row is None else _call(row)

    def record_call(self, call: LlmCall) -> None:
        """Keep a completed call; a second record of the same (incident, run, seq) is ignored."""
        with self.sessions.write() as session:
            insert = upsert(session, LlmCallRow).values(**call.model_dump())
            session.execute(insert.on_conflict_do_nothing())

    def calls(self, incident_id: str) -> list[LlmCall]:
        """Every LLM call made for the incident, in the order they were made."""
        query = select(LlmCallRow).where(LlmCallRow.incident_id == incident_id)
        with self.sessions.read() as session:
            rows = session.scalars(query.order_by(LlmCallRow.at, LlmCallRow.seq))
            return [_call(r) for r in rows]

    def spent(self, incident_id: str) -> Spend:
        """The incident's total spend, summed in the database; zeros when no call was made."""
        query = select(
            func.count(),
            func.coalesce(func.sum(LlmCallRow.input_tokens), 0),
            func.coalesce(func.sum(LlmCallRow.output_tokens), 0),
            func.coalesce(func.sum(LlmCallRow.cost_usd), 0.0),
        ).where(LlmCallRow.incident_id == incident_id)
        with self.sessions.read() as session:
            calls, tokens_in, tokens_out, cost = session.execute(query).one()
        return Spend(
            calls=calls, input_tokens=tokens_in, output_tokens=tokens_out, cost_usd=float(cost)
        )

    def record_tool_call(self, call: ToolCallRecord) -> None:
        """Keep a tool call; a re-run of the same step replaces what the earlier attempt wrote."""
        values = {"run_key": call.run_key, "body": call.model_dump(mode="json")}
        with self.sessions.write() as session:
            keys = {"incident_id": call.incident_id, "call_id": call.call_id}
            put_row(session, LlmToolCallRow, keys, values)

    def tool_calls(self, incident_id: str) -> list[ToolCallRecord]:
        """The tool calls of every run on the incident, oldest first."""
        query = select(LlmToolCallRow.body).where(LlmToolCallRow.incident_id == incident_id)
        with self.sessions.read() as session:
            calls = [ToolCallRecord.model_validate(b) for b in session.scalars(query)]
        return sorted(calls, key=lambda c: c.at)

    def record_run(self, run: AgentRun) -> None:
        """Keep the outcome of one agent run; recording the same run again replaces it."""
        values = {"outcome": run.outcome, "won": run.won, "body": run.model_dump(mode="json")}
        with self.sessions.write() as session:
            keys = {"incident_id": run.incident_id, "run_key": run.run_key}
            put_row(session, LlmRunRow, keys, values)

    def runs(self, incident_id: str) -> list[AgentRun]:
        """Every agent run on the incident, oldest first."""
        query = select(LlmRunRow.body).where(LlmRunRow.incident_id == incident_id)
        with self.sessions.read() as session:
            runs = [AgentRun.model_validate(b) for b in session.scalars(query)]
        return sorted(runs, key=lambda r: r.at)


def _call(row: LlmCallRow) -> LlmCall:
    return LlmCall(
        incident_id=row.incident_id,
        run_key=row.run_key,
        seq=row.seq,
        role=row.role,
        model=row.model,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cache_read_tokens=row.cache_read_tokens,
        cost_usd=row.cost_usd,
        response=row.response,
        at=row.at,
    )
