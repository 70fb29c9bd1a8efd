"""The agent tests' world: an incident, its data served by the kit's fakes (nightowl.testing),
and the scripted LLM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic_ai.messages import (
    ModelResponse,
)

from nightowl.agent.build import build_investigator
from nightowl.agent.investigator import Investigator
from nightowl.clock import ScenarioClock
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
from nightowl.testing.llm import ScriptedLLM as Script
from nightowl.testing.llm import Seen
from nightowl.testing.sources import FakeDeploys, FakeLogs, FakeMetrics

NOW = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)


def metrics() -> FakeMetrics:
    """Checkout's error rate over the last three minutes before NOW: flat, then a jump."""
    at = tuple((NOW - timedelta(minutes=m)).timestamp() for m in (3, 2, 1))
    series = Series(
        metric="error_rate", timestamps=at, values=(0.01, 0.01, 0.3), labels={"service": "checkout"}
    )
    return FakeMetrics({"checkout": {SignalKind.ERROR_RATE: series}})


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
    tmp_path: Path,
    script: Script,
    logs: list[LogRecord] | None = None,
    tools: list[Any] | None = None,
    **llm: Any,
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
        metrics=[metrics()],
        logs=[
            FakeLogs(logs if logs is not None else [log("checkout", "payment timeout order=42")])
        ],
        deploys=[FakeDeploys(deploys)],
        tools=tools or [],
        runbooks=builtin_runbooks(),
        models={"cheap": script.model(), "strong": script.model()},
    )
    return agent, store
