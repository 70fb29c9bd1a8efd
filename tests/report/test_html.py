"""The HTML report: the Markdown's sections plus inline SVG charts, self-contained, escaped, with
the narrative hook; the report stage writes it and its charts beside the Markdown."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from nightowl.app import Nightowl
from nightowl.domain import Alert, AlertStatus
from nightowl.report import charts
from nightowl.report.html import markdown_html, render_html, with_narrative
from nightowl.report.markdown import SECTIONS as MARKDOWN_SECTIONS
from nightowl.report.markdown import render
from tests.approvals.flow import page, settings_for
from tests.report.test_markdown import T, incident

SECTIONS = [*MARKDOWN_SECTIONS]
SECTIONS.insert(SECTIONS.index("Impact") + 1, "Key metrics")


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
    assert "<title>Postmortem: &lt;b&gt;bold&lt;/b&gt; title</title>" in html


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
    assert "[reset your password](https://evil.example/login)" in html  # as written, inert
    assert "![tracker](https://evil.example/pixel.png)" in html
    assert "&lt;https://evil.example/auto&gt;" in html


def test_log_template_wildcards_are_not_italics_in_html() -> None:
    noisy = Alert(
        source="alertmanager",
        fingerprint="fp4",
        content_hash="h4",
        status=AlertStatus.FIRING,
        name="Errors",
        labels={"alertname": "Errors"},
        annotations={"summary": "GET /v<*>/cart took <*>ms for *all* users"},
        starts_at=T,
    )

    html = render_html(incident(alerts=(noisy,)))

    assert "<em>all</em>" not in html
    assert "<em>/cart" not in html
    assert "GET /v&lt;*&gt;/cart took &lt;*&gt;ms for *all* users" in html


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

    assert re.findall(r"^## (.*)$", markdown, re.M)[:4] == [
        "Status",
        "Summary",
        "Narrative",
        "Impact",
    ]
    assert story in markdown
    assert headings(html)[:3] == ["Status", "Summary", "Narrative"]
    assert '<div class="narrative">' in html
    assert with_narrative("# x\n\n## Summary\n\nok\n", None) == "# x\n\n## Summary\n\nok\n"
    assert headings(render_html(incident(), narrative=story))[2] == "Narrative"
    assert with_narrative(markdown, "again") == markdown  # one narrative at most


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
    assert headings(html)[:4] == ["Status", "Summary", "Impact", "Key metrics"]
    assert any(
        s.summary.endswith(f"({len(saved)} charts)")
        for s in done.stages
        if s.stage.value == "report"
    )
