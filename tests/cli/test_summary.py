"""What ``nightowl serve`` says at startup, over a real (unlaunched) application: connectors by
kind, autonomy and dry-run, notifiers, store, auth; and the loud warnings when nightowl would
only pretend (no metrics source, no notifier, no webhook token)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.app import Nightowl
from nightowl.cli.summary import Summary, shown_store_url, startup_summary
from nightowl.settings import Settings


def summary_of(settings: Settings) -> Summary:
    app = Nightowl(settings)
    try:
        return startup_summary(app)
    finally:
        app.shutdown()


def test_no_connector_no_notifier_no_token_is_said_loudly(tmp_path: Path) -> None:
    summary = summary_of(Settings(data_dir=tmp_path))

    assert (
        summary.lines[0]
        == "connectors: metrics: none; logs: none; deploys: recorded; cluster: none"
    )
    assert "autonomy: suggest; dry-run: on" in summary.lines[1]
    warned = " ".join(summary.warnings)
    assert "no metrics source configured" in warned
    assert "no data sources configured" in warned
    assert "no notifier configured" in warned
    assert "no human hears" in warned
    assert "no webhook token configured" in warned


def test_a_configured_stack_is_summarised_without_warnings(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "connectors": [{"name": "prom", "kind": "prometheus", "url": "http://127.0.0.1:9"}],
            "notify": {
                "notifiers": [{"name": "oncall", "kind": "slack", "webhook_url": "http://x/y"}]
            },
            "webhooks": {"tokens": {"alertmanager": ["t0ken-t0ken"]}},
            "api": {"users": {"admin": "a-token"}},
            "policy": {"autonomy": "act"},
            "actions": {"dry_run": False},
        }
    )
    summary = summary_of(settings)

    assert summary.warnings == []
    text = "\n".join(summary.lines)
    assert "metrics: prom" in text
    assert "autonomy: act; dry-run: OFF" in text
    assert "notifiers: oncall (slack)" in text
    assert "webhook credentials for alertmanager; 1 API user(s)" in text
    assert "t0ken" not in text
    assert "a-token" not in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://nightowl:s3cret@db:5432/nightowl",
            "postgresql://nightowl:***@db:5432/nightowl",
        ),
        ("sqlite:////var/lib/nightowl/n.sqlite", "sqlite:////var/lib/nightowl/n.sqlite"),
    ],
)
def test_the_store_is_shown_without_its_password(url: str, shown: str) -> None:
    assert shown_store_url(Settings.model_validate({"store": {"url": url}})) == shown
