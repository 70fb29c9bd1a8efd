"""The HTML report: the Markdown's sections plus inline SVG charts, self-contained, escaped, with
the narrative hook; the charts chosen from the evidence and captured through metrics sources."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from nightowl.app import Nightowl
from nightowl.domain import Alert, AlertStatus, Series, SignalKind
from nightowl.errors import ConnectorError
from nightowl.report import charts
from nightowl.report.html import markdown_html, render_html, with_narrative
from nightowl.report.markdown import render
from tests.approvals.flow import page, settings_for
from tests.report.test_markdown import DEPLOY, LATENCY, T, incident

SECTIONS = [
    "Summary",
    "Timeline",
    "Key metrics",
    "Root cause",
    "Resolution",
    "Impact",
    "Action items",
]


def chart() -> charts.Chart:
    start = (T - timedelta(minutes=20)).timestamp()
    ts = tuple(start + 30 * i for i in range(60))
    values = tuple(0.25 if i < 30 else 1.7 for i in range(60))
    return charts.Chart(
        service="checkout",
        signal="latency_p99",
        timestamps=ts,
        values=values,
        markers=tuple(charts.markers(incident(), "checkout", "latency_p99")),
    )


def headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def test_the_html_report_has_every_section_and_the_charts_inline() -> None:
    html = render_html(incident(), [chart()])

    assert headings(html) == SECTIONS
    assert html.count("<svg") == 1
    assert "checkout latency p99" in html
    assert "deploy v2.4.1" in html  # the deploy marker
    assert "onset" in html
    assert "recovered" in html
    assert "<table>" in html  # the timeline


def test_the_html_report_is_self_contained() -> None:
    html = render_html(incident(), [chart()])

    for outside in ("<script", "<link", "src=", "url(", "@import"):
        assert outside not in html
    assert html.startswith("<!DOCTYPE html>")


def test_alert_text_cannot_inject_html() -> None:
    evil = Alert(
        source="alertmanager",
        fingerprint="fp2",
        content_hash="h2",
        status=AlertStatus.FIRING,
        name="Evil",
        labels={"alertname": "Evil"},
        annotations={"summary": "<script>alert(1)</script><img src=x onerror=alert(2)>"},
        starts_at=T,
    )
    bad = incident(alerts=(evil,), title="<b>bold</b> title")

    html = render_html(bad)

    assert "<script>alert" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>Post-incident report: &lt;b&gt;bold&lt;/b&gt; title</title>" in html


def test_alert_text_cannot_link_out_or_load_external_images() -> None:
    evil = Alert(
        source="alertmanager",
        fingerprint="fp3",
        content_hash="h3",
        status=AlertStatus.FIRING,
        name="Phish",
        labels={"alertname": "Phish"},
        annotations={
            "summary": "[reset your password](https://evil.example/login) "
            "![tracker](https://evil.example/pixel.png) <https://evil.example/auto>"
        },
        starts_at=T,
    )

    html = render_html(incident(alerts=(evil,)))

    assert "<img" not in html
    assert "href=" not in html
    assert "reset your password (https://evil.example/login)" in html
    assert "[image: tracker]" in html
    assert "https://evil.example/auto" in html  # shown once, as text


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("[a](https://x.example/)", "<p>a (https://x.example/)</p>"),
        ("[a](//x.example/)", "<p>a (//x.example/)</p>"),
        ("<https://x.example/>", "<p>https://x.example/</p>"),
        ("![](https://x.example/p.png)", "<p>[image]</p>"),
        ("![a <b>](https://x.example/p.png)", "<p>[image: a &lt;b&gt;]</p>"),
        ("[ref][r]\n\n[r]: https://x.example/", "<p>ref (https://x.example/)</p>"),
        ("[incidents](/ui/incidents)", '<p><a href="/ui/incidents">incidents</a></p>'),
        ("[top](#summary)", '<p><a href="#summary">top</a></p>'),
    ],
)
def test_markdown_links_and_images(markdown: str, shown: str) -> None:
    assert markdown_html(markdown).strip() == shown


def test_without_charts_there_is_no_metrics_section() -> None:
    assert "Key metrics" not in headings(render_html(incident(), []))


def test_a_narrative_goes_after_the_summary_in_both_formats() -> None:
    story = "At 02:51 sam shipped v2.4.1; memory began to climb."
    markdown = with_narrative(render(incident()), story)

    html = render_html(incident(), markdown=markdown)

    assert re.findall(r"^## (.*)$", markdown, re.M)[:3] == ["Summary", "Narrative", "Timeline"]
    assert story in markdown
    assert headings(html)[:2] == ["Summary", "Narrative"]
    assert '<div class="narrative">' in html
    assert with_narrative("# x\n\n## Summary\n\nok\n", None) == "# x\n\n## Summary\n\nok\n"
    assert headings(render_html(incident(), narrative=story))[1] == "Narrative"


def test_key_signals_follow_the_evidence_root_cause_service_first() -> None:
    assert charts.key_signals(incident()) == [("checkout", "latency_p99")]
    assert charts.key_signals(incident(evidence=(DEPLOY,))) == [
        ("checkout", "error_rate"),
        ("checkout", "latency_p99"),
    ]


def test_markers_show_the_deploy_the_onset_the_action_and_the_recovery() -> None:
    found = {(m.kind, m.label) for m in charts.markers(incident(), "checkout", "latency_p99")}

    assert found == {
        ("opened", "paged"),
        ("deploy", "deploy v2.4.1"),
        ("onset", "onset"),
        ("action", "rollback"),
        ("recovered", "recovered"),
    }
    assert LATENCY.onset is not None


class Metrics:
    """A metrics source with one service's golden signals, or a broken one."""

    name = "fake"

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.asked: list[tuple[str, datetime, datetime, int]] = []

    async def query(self, query: str, at: datetime) -> list[Series]:
        return []

    async def query_range(
        self, query: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        return []

    async def service_signals(
        self, service: str, start: datetime, end: datetime, step_seconds: int
    ) -> dict[SignalKind, Series]:
        self.asked.append((service, start, end, step_seconds))
        if self.broken:
            raise ConnectorError("HTTP 503", connector=self.name)
        ts = tuple(start.timestamp() + step_seconds * i for i in range(10))
        return {
            SignalKind.LATENCY_P99: Series(metric="latency_p99", timestamps=ts, values=(0.3,) * 10),
            SignalKind.CPU: Series(metric="cpu", timestamps=ts, values=(0.5,) * 10),
        }


def test_capture_reads_the_key_signals_and_skips_a_failing_source() -> None:
    broken, working = Metrics(broken=True), Metrics()

    drawn = asyncio.run(charts.capture([broken, working], incident(), T + timedelta(hours=1), 30))

    assert [(c.service, c.signal) for c in drawn] == [("checkout", "latency_p99")]
    [(service, start, end, _)] = working.asked
    assert service == "checkout"
    assert start == DEPLOY.onset - timedelta(minutes=15)  # type: ignore[operator]
    assert end == T + timedelta(minutes=7)  # the verification's end, not "now"
    assert asyncio.run(charts.capture([], incident(), T)) == []


def test_charts_are_saved_beside_the_report_and_read_back(tmp_path: Path) -> None:
    path = charts.chart_path(tmp_path / "reports" / "inc-1.md")

    charts.save(path, [chart()])

    assert path.name == "inc-1.charts.json"
    assert charts.load(path) == [chart()]
    assert charts.load(tmp_path / "missing.json") == []


@pytest.mark.parametrize(
    ("signal", "value", "shown"),
    [
        ("error_rate", 0.021, "2.1%"),
        ("latency_p99", 0.25, "250 ms"),
        ("latency_p99", 1.74, "1.74 s"),
        ("memory", 4.03e8, "403.0 MB"),
        ("request_rate", 120, "120/s"),
        ("cpu", 0.5, "0.5"),
    ],
)
def test_values_are_shown_in_their_units(signal: str, value: float, shown: str) -> None:
    assert charts.fmt(value, signal) == shown


def test_the_report_stage_writes_the_html_and_the_charts_beside_the_markdown(
    tmp_path: Path,
) -> None:
    app = Nightowl(settings_for(tmp_path))
    app.launch()
    try:
        done = page(app)
    finally:
        app.shutdown()

    assert done.report_path is not None
    markdown = Path(done.report_path)
    html = markdown.with_suffix(".html").read_text(encoding="utf-8")
    saved = charts.load(charts.chart_path(markdown))
    assert {(c.service, c.signal) for c in saved} >= {
        ("checkout", "error_rate"),
        ("checkout", "latency_p99"),
    }
    assert html.count("<svg") == len(saved)
    assert headings(html)[:3] == ["Summary", "Timeline", "Key metrics"]
    assert any(
        s.summary.endswith(f"({len(saved)} charts)")
        for s in done.stages
        if s.stage.value == "report"
    )
