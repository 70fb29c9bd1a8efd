"""The notify stage: the message leads with the outcome — how it ended, why, who must act."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from nightowl.clock import ScenarioClock
from nightowl.domain import (
    IncidentStatus,
    Recall,
    Severity,
    StageContext,
    StageName,
    StageRecord,
    StageStatus,
    Verdict,
)
from nightowl.graph.knowledge import Knowledge
from nightowl.notify.broadcast import Broadcast
from nightowl.notify.file import FileConfig, FileNotifier
from nightowl.notify.stage import Notify
from nightowl.settings.people import GraphSettings
from nightowl.store import IncidentStore
from nightowl.store.graph import GraphStore
from tests.domain.test_outcome import SPEC, decision, previewed
from tests.notify.test_slack import FakeSlack, notifier
from tests.report.test_markdown import T, incident


def notify(tmp_path: Path, **changes: object) -> dict[str, object]:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'n.sqlite'}")
    inc = incident(**changes)
    store.create_incident(
        incident_id=inc.id,
        correlation_key="k",
        title=inc.title,
        service=inc.service,
        severity=Severity.CRITICAL,
        opened_at=T,
    )
    out = tmp_path / "notifications.jsonl"
    stage = Notify(Broadcast([FileNotifier("file", FileConfig(path=out), ScenarioClock(T))], store))
    try:
        result = asyncio.run(stage.run(StageContext(), inc))
    finally:
        store.close()
    assert result.summary == "file: sent"
    [line] = out.read_text().splitlines()
    message: dict[str, object] = json.loads(line)
    return message


def test_a_dry_run_tells_the_human_what_to_run(tmp_path: Path) -> None:
    message = notify(
        tmp_path,
        status=IncidentStatus.ESCALATED,
        plan=(SPEC,),
        decisions=(decision(Verdict.ALLOW, "approval.approved"),),
        actions=(previewed(),),
        verification=None,
    )

    assert message["status"] == "escalated"
    text = str(message["text"]).splitlines()
    assert text[0] == (
        "escalated: dry run: the rollback of checkout to v2.3.9 was approved but not executed "
        "(actions.dry_run is on) — a human must run it: "
        "kubectl rollout undo deployment/checkout -n shop --to-revision=41"
    )
    assert text[1] == "Diagnosis: bad_deploy on checkout"


def test_a_failed_stage_is_sent_as_escalated_with_its_reason(tmp_path: Path) -> None:
    failed = StageRecord(
        stage=StageName.GATE, status=StageStatus.FAILED, started_at=T, error="boom"
    )

    message = notify(tmp_path, status=IncidentStatus.INVESTIGATING, stages=(failed,))

    assert message["status"] == "escalated"
    assert str(message["text"]).startswith("escalated: the gate stage failed (boom)")


def test_the_slack_thread_of_the_incident_is_in_the_knowledge_graph(tmp_path: Path) -> None:
    """Slack's documented chat.postMessage answer (``httpx.MockTransport``: no Slack here): the
    notify stage records the incident with the channel and thread ``ts`` Slack answered."""
    url = f"sqlite:///{tmp_path / 'n.sqlite'}"
    store = IncidentStore.open(url)
    inc = incident()
    store.create_incident(incident_id=inc.id, correlation_key="k", title=inc.title,
                          service=inc.service, severity=Severity.CRITICAL, opened_at=T)  # fmt: skip
    knowledge = Knowledge(GraphStore(store.engine), GraphSettings())
    fake = FakeSlack()
    stage = Notify(Broadcast([notifier(fake)], store), knowledge)
    try:
        result = asyncio.run(stage.run(StageContext(), inc))
        (ref,) = knowledge.card("checkout", T).incidents
    finally:
        store.close()
    assert result.summary == "slack: sent"
    assert (ref.id, ref.slack_thread) == (inc.id, "C0INCIDENTS ts 1700000000.000100")


def test_a_dropped_recall_is_said_in_the_notification(tmp_path: Path) -> None:
    """The trap: memory recalled a bad deploy, fresh evidence contradicted it — said, not used."""
    recall = Recall(
        text="seen 3 times since November 2026 (inc-1, inc-2, inc-3); rollback fixed it 3 of 3",
        incidents=("inc-1", "inc-2", "inc-3"), kind="bad_deploy", service="checkout",
        dropped="fresh evidence contradicts the recalled bad_deploy on checkout",
    )  # fmt: skip
    base = incident()
    assert base.diagnosis is not None
    message = notify(tmp_path, diagnosis=base.diagnosis.model_copy(update={"recall": recall}))
    assert recall.line in str(message["text"]).splitlines()
    assert "Not used as a prior: fresh evidence contradicts" in recall.line
