"""Routing: Alertmanager's first-match-wins semantics (with continue), a default for the rest;
every message is enriched from the store (service, severity, pending approvals, history) and
redacted before any notifier sees it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nightowl.domain import (
    ActionResult,
    ActionSpec,
    ActionStatus,
    Alert,
    AlertStatus,
    ApprovalRequest,
    Notification,
    Report,
    Risk,
    Severity,
)
from nightowl.errors import ConfigError
from nightowl.graph.facts import config_facts
from nightowl.graph.knowledge import Knowledge
from nightowl.notify.protocol import Message
from nightowl.notify.routing import (
    IncidentFacts,
    Notice,
    Routed,
    select,
    store_lookup,
    unwrap,
    wrap,
)
from nightowl.redaction import Redactor
from nightowl.settings import NotifySettings
from nightowl.settings.people import GraphSettings
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.graph import GraphStore
from nightowl.store.reports import HTML, ReportDocuments

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)


class Recorder:
    """A notifier that keeps what it was given."""

    def __init__(self, name: str, config: Any = None) -> None:
        self.name = name
        self.config = config
        self.got: list[Message] = []

    async def send(self, message: Message) -> Notification:
        self.got.append(message)
        return Notification(channel=self.name, ok=True, sent_at=AT, detail="recorded")


def routes(raw: list[dict[str, Any]], default: list[str] | None = None) -> NotifySettings:
    return NotifySettings.model_validate({"routes": raw, "default": default})


def facts(service: str | None, severity: str | None) -> IncidentFacts:
    return IncidentFacts(service=service, severity=severity)


NAMES = ["slack", "pagerduty", "email"]


def test_without_routes_everyone_gets_everything() -> None:
    assert select(routes([]), NAMES, facts("checkout", "critical")) == set(NAMES)


def test_the_first_matching_route_wins() -> None:
    settings = routes(
        [
            {
                "match": {"service": ["checkout"], "severity": ["critical"]},
                "notifiers": ["pagerduty"],
            },
            {"match": {"service": ["checkout"]}, "notifiers": ["slack"]},
        ]
    )

    assert select(settings, NAMES, facts("checkout", "critical")) == {"pagerduty"}
    assert select(settings, NAMES, facts("checkout", "warning")) == {"slack"}


def test_continue_collects_later_matches_too() -> None:
    settings = routes(
        [
            {"match": {"severity": ["critical"]}, "notifiers": ["pagerduty"], "continue": True},
            {"match": {}, "notifiers": ["slack"]},
        ]
    )

    assert select(settings, NAMES, facts("checkout", "critical")) == {"pagerduty", "slack"}
    assert select(settings, NAMES, facts("checkout", "info")) == {"slack"}


def test_unmatched_messages_go_to_the_default_or_to_everyone() -> None:
    only_checkout = [{"match": {"service": ["checkout"]}, "notifiers": ["pagerduty"]}]

    assert select(routes(only_checkout, ["email"]), NAMES, facts("search", None)) == {"email"}
    assert select(routes(only_checkout), NAMES, facts("search", None)) == set(NAMES)
    assert select(routes(only_checkout, []), NAMES, facts(None, None)) == set()


def test_a_route_naming_an_unknown_notifier_is_a_config_error() -> None:
    settings = routes([{"match": {}, "notifiers": ["pager"]}])

    with pytest.raises(
        ConfigError, match=r"notify.routes\[0\].notifiers: no notifier named 'pager'"
    ):
        wrap([Recorder("slack")], settings, lambda _: IncidentFacts(), lambda: AT, Redactor())


def test_routed_notifiers_get_an_enriched_redacted_notice_once_per_message() -> None:
    calls: list[str] = []

    def lookup(incident_id: str) -> IncidentFacts:
        calls.append(incident_id)
        return IncidentFacts(
            service="checkout", severity="critical", url="https://no/ui/incidents/i"
        )

    slack, pager = Recorder("slack"), Recorder("pagerduty")
    settings = routes([{"match": {"severity": ["warning"]}, "notifiers": ["pagerduty"]}], ["slack"])
    wrapped = wrap([slack, pager], settings, lookup, lambda: AT, Redactor(["hunter2-secret"]))
    message = Message(
        incident_id="inc-1",
        title="HighLatency on checkout",
        status="escalated",
        text="retry with password=hunter2-secret failed; mail ops@example.com",
    )

    notes = [asyncio.run(n.send(message)) for n in wrapped]

    assert calls == ["inc-1"]
    [notice] = slack.got
    assert isinstance(notice, Notice)
    assert (notice.service, notice.severity, notice.url) == (
        "checkout",
        "critical",
        "https://no/ui/incidents/i",
    )
    assert "hunter2" not in notice.text
    assert "ops@example.com" not in notice.text
    assert pager.got == []
    assert notes[1].ok
    assert notes[1].detail == "not routed here (service checkout, severity critical)"
    assert unwrap(wrapped) == [slack, pager]
    assert all(isinstance(n, Routed) for n in wrapped)


def test_a_notice_about_no_incident_is_routed_by_the_facts_it_carries() -> None:
    """A deploy risk notice has no incident to look up: its own service and owners route it,
    and it is still redacted."""
    owners, everyone = Recorder("owners"), Recorder("everyone")
    settings = routes([{"match": {"owner": ["ana"]}, "notifiers": ["owners"]}], ["everyone"])
    wrapped = wrap(
        [owners, everyone], settings, lambda _: IncidentFacts(), lambda: AT, Redactor(["s3cret"])
    )
    notice = Notice(
        incident_id="deploy-risk:checkout:v2",
        title="Delay the deploy of checkout v2?",
        status="deploy-risk",
        text="token s3cret in the diff",
        service="checkout",
        owners=("ana",),
    )
    notes = [asyncio.run(n.send(notice)) for n in wrapped]
    [got] = owners.got
    assert isinstance(got, Notice)
    assert (got.service, got.owners) == ("checkout", ("ana",))
    assert "s3cret" not in got.text
    assert everyone.got == []
    assert notes[1].detail == "not routed here (service checkout, severity unknown)"


def test_the_store_lookup_reads_service_severity_history_and_pending_approvals(
    tmp_path: Path,
) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'n.sqlite'}")
    approvals = ApprovalStore(store.engine)
    store.create_incident(
        incident_id="inc-1",
        correlation_key="k",
        title="HighLatency on checkout",
        service="checkout",
        severity=Severity.CRITICAL,
        opened_at=AT,
    )
    store.add_notification(
        "inc-1", Notification(channel="slack", ok=True, sent_at=AT, detail="posted to C1 (ts 1.2)")
    )
    action = ActionSpec(
        kind="rollback",
        service="checkout",
        runbook="rollback-bad-deploy",
        risk=Risk.LOW,
        reason="bad deploy",
        rollback="re-deploy v2.4.1",
        idempotency_key="key-1",
    )
    approvals.open(
        ApprovalRequest(
            id="apr-1",
            incident_id="inc-1",
            service="checkout",
            action=action,
            plan="roll back checkout to v2.4.0",
            rollback="re-deploy v2.4.1",
            diagnosis="bad deploy",
            requested_at=AT,
            expires_at=AT + timedelta(hours=1),
        )
    )
    lookup = store_lookup(store, approvals, "https://nightowl.example.org/")

    found = lookup("inc-1")
    missing = lookup("inc-unknown")

    assert (found.service, found.severity) == ("checkout", "critical")
    assert found.url == "https://nightowl.example.org/ui/incidents/inc-1"
    assert [a.id for a in found.approvals] == ["apr-1"]
    assert found.approvals[0].plan == "roll back checkout to v2.4.0"
    assert [n.detail for n in found.history] == ["posted to C1 (ts 1.2)"]
    assert missing == IncidentFacts()
    store.close()


def test_the_store_lookup_gives_the_alerts_web_links_only(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'n.sqlite'}")
    store.create_incident(
        incident_id="inc-1",
        correlation_key="k",
        title="t",
        service="checkout",
        severity=Severity.CRITICAL,
        opened_at=AT,
    )
    urls = [
        "https://prom.example/graph?g0=1",
        "javascript:alert(1)",
        "https://prom.example/graph?g0=1",
    ]
    store.add_alerts(
        "inc-1",
        [
            Alert(
                source="alertmanager",
                fingerprint=f"fp{n}",
                content_hash=f"h{n}",
                status=AlertStatus.FIRING,
                name="HighLatency",
                labels={"service": "checkout"},
                annotations={},
                starts_at=AT,
                generator_url=url,
            )
            for n, url in enumerate(urls)
        ],
        AT,
    )

    for n, kind in enumerate(("rollback", "restart", "rollback")):
        store.save_action("inc-1", ActionResult(
            kind=kind, service="checkout", idempotency_key=f"k{n}", driver="sim",
            status=ActionStatus.SUCCEEDED, dry_run=False, started_at=AT, finished_at=AT,
        ))  # fmt: skip

    found = store_lookup(store, ApprovalStore(store.engine))("inc-1")

    assert found.alert_links == ("https://prom.example/graph?g0=1",)
    assert found.actions_taken == ("rollback", "restart")  # each kind once, for Slack's ratings
    store.close()


def test_the_history_is_not_serialised_for_file_and_webhook_receivers() -> None:
    note = Notification(channel="slack", ok=True, sent_at=AT, detail="x")
    notice = Notice(incident_id="i", title="t", status="open", text="x", history=(note,))

    assert "history" not in notice.model_dump()
    assert notice.sent_by("slack") == (note,)


def test_notice_of_keeps_a_notice_and_lifts_a_bare_message() -> None:
    bare = Message(incident_id="inc-1", title="t", status="resolved", text="x")
    lifted = Notice.of(bare)
    assert isinstance(lifted, Notice)
    assert (lifted.incident_id, lifted.service, lifted.history) == ("inc-1", None, ())
    enriched = Notice(incident_id="inc-2", title="t", status="escalated", text="y", service="db")
    assert Notice.of(enriched) is enriched


def test_a_route_by_owner_takes_the_incidents_whose_service_the_graph_says_they_own(
    tmp_path: Path,
) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'n.sqlite'}")
    for incident_id, service in (("inc-pay", "payments"), ("inc-cart", "cart")):
        store.create_incident(
            incident_id=incident_id, correlation_key=incident_id, title=f"{service} down",
            service=service, severity=Severity.HIGH, opened_at=AT,
        )  # fmt: skip
    ownership = GraphSettings(owners={"payments": ["team:pay"]}, on_call={"cart": ["ana"]})
    knowledge = Knowledge(GraphStore(store.engine), ownership)
    knowledge.store.record(config_facts(ownership, AT))
    lookup = store_lookup(store, ApprovalStore(store.engine), knowledge=knowledge)
    settings = routes(
        [{"match": {"owner": ["pay"]}, "notifiers": ["pagerduty"]},
         {"match": {"owner": ["ana"]}, "notifiers": ["email"]}],
        default=["slack"],
    )  # fmt: skip
    assert lookup("inc-pay").owners == ("pay",)
    assert select(settings, NAMES, lookup("inc-pay")) == {"pagerduty"}
    assert select(settings, NAMES, lookup("inc-cart")) == {"email"}  # on call counts too
    assert select(settings, NAMES, facts("checkout", "high")) == {"slack"}  # nobody known
    store.close()


def test_the_store_lookup_gives_the_report_page_another_replica_stored(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'n.sqlite'}")
    store.create_incident(
        incident_id="inc-1", correlation_key="k", title="t", service="checkout",
        severity=Severity.CRITICAL, opened_at=AT,
    )  # fmt: skip
    documents = ReportDocuments(store.engine)
    lookup = store_lookup(store, ApprovalStore(store.engine), documents=documents)
    assert lookup("inc-1").report_html is None  # no report yet
    elsewhere = str(tmp_path / "other-replica" / "inc-1.md")  # a path on another machine
    store.save_report("inc-1", Report(markdown="# r", path=elsewhere, created_at=AT))
    documents.put("inc-1", {HTML: "<html>stored page</html>"}, AT)

    found = lookup("inc-1")

    assert found.report_html == "<html>stored page</html>"
    assert found.report_html_path is None  # not on this replica's disk
    notice = Notice(incident_id="inc-1", title="t", status="open", text="x", report_html="<p/>")
    assert "report_html" not in notice.model_dump()  # attached by notifiers, never forwarded
    store.close()


def test_a_watchers_owner_label_routes_but_another_sources_does_not(tmp_path: Path) -> None:
    store = IncidentStore.open(f"sqlite:///{tmp_path / 'n.sqlite'}")
    for incident_id in ("inc-model", "inc-page"):
        store.create_incident(
            incident_id=incident_id, correlation_key=incident_id, title="drift",
            service="churn-api", severity=Severity.WARNING, opened_at=AT,
        )  # fmt: skip
    for incident_id, source in (("inc-model", "watcher"), ("inc-page", "alertmanager")):
        alert = Alert(
            source=source, fingerprint=incident_id, content_hash=incident_id,
            status=AlertStatus.FIRING, name="nightowl_model_drift",
            labels={"service": "churn-api", "owner": "ml-team"}, annotations={}, starts_at=AT,
        )  # fmt: skip
        store.add_alerts(incident_id, [alert], AT)
    lookup = store_lookup(store, ApprovalStore(store.engine))
    settings = routes([{"match": {"owner": ["ml-team"]}, "notifiers": ["email"]}], ["slack"])
    assert lookup("inc-model").owners == ("ml-team",)
    assert select(settings, NAMES, lookup("inc-model")) == {"email"}
    assert select(settings, NAMES, lookup("inc-page")) == {"slack"}  # third-party label text
    store.close()
