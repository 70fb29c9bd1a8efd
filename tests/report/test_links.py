"""The report's links: the alerts' own pages, configured dashboards, the commit, the page."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nightowl.domain import Evidence
from nightowl.report.links import links
from nightowl.report.model import Link
from nightowl.report.postmortem import cause_of
from nightowl.settings import ReportSettings
from tests.report.test_markdown import DEPLOY, incident


def test_alert_links_dashboards_commit_and_the_incident_page() -> None:
    deploy = Evidence.model_validate(
        {
            **DEPLOY.model_dump(),
            "detail": {"type": "change", "version": "v2.4.1", "commit": "9f3c2ab"},
        }
    )
    base = incident()
    alert = base.alerts[0].model_copy(update={"generator_url": "http://prom:9090/graph?g0=1"})
    inc = incident(evidence=(deploy, *base.evidence[1:]), alerts=(alert,))
    settings = ReportSettings.model_validate(
        {
            "dashboards": [
                {"label": "RED", "url": "https://grafana.example/d/red?var-svc={service}"}
            ],
            "commit_url": "https://github.com/acme/{service}/commit/{commit}",
        }
    )

    got = links(inc, cause_of(inc), settings, "https://nightowl.example/")

    assert got == (
        Link(label="alert HighLatency", url="http://prom:9090/graph?g0=1"),
        Link(label="RED", url="https://grafana.example/d/red?var-svc=checkout"),
        Link(
            label="commit 9f3c2ab (checkout v2.4.1)",
            url="https://github.com/acme/checkout/commit/9f3c2ab",
        ),
        Link(label="incident page", url="https://nightowl.example/ui/incidents/inc-0123456789ab"),
    )


def test_a_template_is_not_code_and_must_be_a_web_address() -> None:
    settings = ReportSettings.model_validate(
        {"dashboards": [{"label": "x", "url": "https://g.example/{service.__class__}/{0}"}]}
    )

    [board] = links(incident(), None, settings, None)

    assert board.url == "https://g.example/{service.__class__}/{0}"
    with pytest.raises(ValidationError, match="https"):
        ReportSettings.model_validate(
            {"dashboards": [{"label": "x", "url": "javascript:alert(1)"}]}
        )


def test_nightowls_own_trace_is_the_last_link() -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    url = f"https://traces.example/trace/{trace_id}"
    found = links(incident(), None, ReportSettings(), None, (trace_id, url))
    assert found[-1] == Link(label=f"nightowl's trace {trace_id}", url=url)
    unlinked = links(incident(), None, ReportSettings(), None, (trace_id, None))
    assert unlinked[-1] == Link(label=f"nightowl's trace {trace_id}", url=None)
    assert all(
        "trace" not in link.label for link in links(incident(), None, ReportSettings(), None)
    )
