"""Both windows of a drifted column: bars in the HTML report and on the incident page, a table in
the Markdown report; labels escaped, the shares as the finding recorded them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from nightowl.domain import (
    Evidence,
    EvidenceKind,
    Incident,
    IncidentStatus,
    ModelDrift,
    Severity,
)
from nightowl.report.distributions import bars, drifts
from nightowl.report.html import render_html
from nightowl.report.markdown import render

AT = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
DRIFT = ModelDrift(
    model="churn", alias="champion", version="7", column="plan", role="feature",
    labels=("free", "pro", "<b>team</b>"), reference=(0.6, 0.3, 0.1), current=(0.2, 0.3, 0.5),
)  # fmt: skip


def evidence(detail: ModelDrift) -> Evidence:
    return Evidence(
        id="drift:churn:plan", kind=EvidenceKind.MODEL_DRIFT, service="churn-api",
        summary="model churn@champion: feature 'plan' drifted", source="watcher churn-drift",
        query="chi2 of 'plan'", detail=detail,
    )  # fmt: skip


def test_bars_draw_each_window_per_bin_escaped() -> None:
    drawn = bars(DRIFT)
    assert drawn.startswith("<svg")
    assert drawn.endswith("</svg>")
    assert len(re.findall(r"<rect [^>]*><title>", drawn)) == 2 * len(DRIFT.labels)
    assert "50.0% of the current window" in drawn
    assert "<b>team</b>" not in drawn
    assert "&lt;b&gt;team&lt;/b&gt;" in drawn
    assert 'aria-label="churn@champion (version 7): feature plan"' in drawn


def test_only_evidence_with_both_windows_is_drawn() -> None:
    broken = DRIFT.model_copy(update={"current": (0.5,)})
    assert drifts([evidence(DRIFT), evidence(broken)]) == [DRIFT]


def test_the_report_shows_both_distributions() -> None:
    incident = Incident(
        id="inc-1", title="churn drift", status=IncidentStatus.OPEN, service="churn-api",
        severity=Severity.WARNING, category=None, opened_at=AT, updated_at=AT, alert_count=1,
        evidence=(evidence(DRIFT),),
    )  # fmt: skip
    text = render(incident)
    assert "Distributions of feature `plan` of model `churn`@champion (version 7)" in text
    assert "| `free` | 60.0% | 20.0% |" in text
    page = render_html(incident)
    assert page.count("<h3>Distributions</h3>") == 1
    assert 'aria-label="churn@champion (version 7): feature plan"' in page
    plain = incident.model_copy(update={"evidence": ()})
    assert "Distributions" not in render(plain)
    assert "Distributions" not in render_html(plain)
