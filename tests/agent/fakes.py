"""Small fakes of the connectors and a scripted pydantic-ai FunctionModel, for the agent tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
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

from nightowl.agent.build import build_investigator
from nightowl.agent.investigator import Investigator
from nightowl.clock import ScenarioClock
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import (
    Alert,
    AlertStatus,
    Deploy,
    Diagnosis,
    Evidence,
    EvidenceKind,
    Hypothesis,
    HypothesisStatus,
    Incident,
    IncidentStatus,
    LogLevel,
    LogRecord,
    RootCause,
    Series,
    SignalKind,
)
from nightowl.runbooks.catalog import builtin_runbooks
from nightowl.settings import Settings
from nightowl.store import IncidentStore
from nightowl.store.llm import LlmStore

NOW = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)
CALL_ID = re.compile(r'call_id="([^"]+)"')


class FakeLogs:
    name = "fake-logs"

    def __init__(self, records: list[LogRecord]) -> None:
        self.records = records

    async def search(self, query: LogQuery) -> list[LogRecord]:
        return [r for r in self.records if query.service in (None, r.service)]

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        for r in self.records:
            yield r


class FakeDeploys:
    name = "fake-deploys"

    def __init__(self, deploys: list[Deploy]) -> None:
        self.found = deploys

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        return [d for d in self.found if service in (None, d.service)]


class FakeMetrics:
    name = "fake-metrics"

    async def query(self, query: str, at: datetime) -> list[Series]:
        return []

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        return [Series(metric=query, timestamps=(1.0, 2.0, 3.0), values=(1.0, 1.0, 9.0))]

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        series = Series(metric="error_rate", timestamps=(1.0, 2.0, 3.0), values=(0.01, 0.01, 0.3))
        return {SignalKind.ERROR_RATE: series}


def log(service: str, message: str, level: LogLevel = LogLevel.ERROR) -> LogRecord:
    return LogRecord(
        timestamp=NOW - timedelta(minutes=3), service=service, level=level, message=message
    )


def incident(annotations: dict[str, str] | None = None) -> Incident:
    alert = Alert(
        source="alertmanager",
        fingerprint="fp1",
        content_hash="h1",
        status=AlertStatus.FIRING,
        name="HighErrorRate",
        labels={"alertname": "HighErrorRate", "service": "checkout"},
        annotations=annotations or {"summary": "checkout 5xx above 5%"},
        starts_at=NOW - timedelta(minutes=2),
    )
    deploy = Evidence(
        id="deploy:checkout:v2",
        kind=EvidenceKind.DEPLOY,
        service="checkout",
        summary="checkout v1 → v2",
        source="fake",
        query="deploys",
        onset=NOW - timedelta(minutes=10),
        data={"version": "v2", "previous_version": "v1"},
    )
    return Incident(
        id="inc-test-1",
        title="HighErrorRate on checkout",
        status=IncidentStatus.INVESTIGATING,
        service="checkout",
        severity=None,
        category=None,
        opened_at=NOW,
        updated_at=NOW,
        alert_count=1,
        alerts=(alert,),
        evidence=(deploy,),
    )


def deterministic(confidence: float = 0.7, found: bool = True) -> Diagnosis:
    h = Hypothesis(
        kind="traffic_spike",
        service="checkout",
        confidence=confidence,
        status=HypothesisStatus.SUPPORTED if found else HypothesisStatus.WEAK,
        summary="request rate rose",
    )
    return Diagnosis(
        root_cause=RootCause(kind=h.kind, service=h.service, summary=h.summary) if found else None,
        confidence=confidence,
        explanation=f"traffic_spike on checkout ({confidence:.2f}): request rate rose.",
        hypotheses=(h,),
        decided_at=NOW,
    )


@dataclass
class Seen:
    role: str
    turn: int
    messages: list[ModelMessage]
    info: AgentInfo

    def call_ids(self) -> list[str]:
        return [
            cid
            for m in self.messages
            if isinstance(m, ModelRequest)
            for p in m.parts
            if isinstance(p, ToolReturnPart) and isinstance(p.content, str)
            for cid in CALL_ID.findall(p.content)
        ]

    def output(self, args: dict[str, Any]) -> ModelResponse:
        return reply((self.info.output_tools[0].name, args))


Step = Callable[[Seen], ModelResponse]


@dataclass
class Script:
    """A FunctionModel script per role: step ``turn`` answers the turn-th request of a run."""

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
    return ModelResponse(
        parts=[ToolCallPart(name, args) for name, args in calls],
        usage=RequestUsage(input_tokens=tokens[0], output_tokens=tokens[1]),
        model_name="scripted",
    )


def finding(
    seen: Seen,
    *,
    kind: str = "bad_deploy",
    confidence: float = 0.9,
    refs: list[str] | None = None,
    service: str = "checkout",
    deploy: str | None = "v2",
) -> ModelResponse:
    return seen.output(
        {
            "root_cause": {
                "kind": kind,
                "service": service,
                "deploy": deploy,
                "summary": "v2 broke checkout",
            },
            "confidence": confidence,
            "evidence": seen.call_ids() if refs is None else refs,
            "risk": "low",
            "rollback_plan": "redeploy v2 after the fix",
        }
    )


def investigator(
    tmp_path: Path, script: Script, logs: list[LogRecord] | None = None, **llm: Any
) -> tuple[Investigator, IncidentStore]:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "llm": {
                "provider": "openai",
                "model": "scripted",
                "api_key": "sk-test-key-000000000001",
                **llm,
            },
            "webhooks": {"tokens": {"alertmanager": ["webhook-token-123456"]}},
        }
    )
    store = IncidentStore.open(settings.store_url)
    deploys = [
        Deploy(
            service="checkout",
            version="v2",
            previous_version="v1",
            at=NOW - timedelta(minutes=10),
            author="sam",
            summary="faster carts",
        )
    ]
    agent = build_investigator(
        settings,
        LlmStore(store.engine),
        ScenarioClock(NOW),
        metrics=[FakeMetrics()],
        logs=[
            FakeLogs(logs if logs is not None else [log("checkout", "payment timeout order=42")])
        ],
        deploys=[FakeDeploys(deploys)],
        runbooks=builtin_runbooks(),
        models={"cheap": script.model(), "strong": script.model()},
    )
    return agent, store
