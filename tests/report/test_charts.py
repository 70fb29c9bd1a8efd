"""Report charts: the key signals chosen from the evidence (root-cause service first), the markers
on each, captured through metrics sources (a failing one skipped), saved beside the report, and
values shown in their units."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from nightowl.domain import Series, SignalKind
from nightowl.errors import ConnectorError
from nightowl.report import charts
from tests.report.test_html import chart
from tests.report.test_markdown import DEPLOY, LATENCY, T, incident


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
