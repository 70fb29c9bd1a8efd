"""``kind: mcp`` against real MCP servers: ``prometheus-mcp-server`` (PyPI, in its own environment
``.venv/mcp-servers``, which ``make`` installs: its fastmcp and nightowl's drain3 cannot share one)
over stdio, pointed at the real Prometheus the connector tests start, read as metrics and by the
gather stage; and a hostile server (``hostile_mcp.py``: planted instructions, answers beyond any
budget, write tools) that gets nothing it should not."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nightowl.app import Nightowl
from nightowl.clock import SystemClock
from nightowl.connectors.gather import Gather
from nightowl.connectors.mcp import McpTools
from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.connectors.protocols import LogQuery, LogSource, MetricsSource
from nightowl.connectors.sources import Sources
from nightowl.domain import LogLevel, SignalKind
from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig, Settings

PROM_TOOLS = ["execute_query", "execute_range_query", "list_metrics"]
HOSTILE = Path(__file__).with_name("hostile_mcp.py")


def prometheus_mcp_server() -> Path:
    """The ``prometheus-mcp-server`` command ``make .venv/.test`` installs."""
    path = Path(sys.prefix) / "mcp-servers" / "bin" / "prometheus-mcp-server"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make .venv/.test` (it installs it)")
    return path


def prometheus_mcp(prometheus_url: str, tmp_path: Path, **options: Any) -> PluginConfig:
    """``prometheus-mcp-server`` from PyPI, over stdio, reading ``prometheus_url``."""
    raw = {
        "name": "prom-mcp",
        "kind": "mcp",
        "command": [str(prometheus_mcp_server())],
        "env": {"PROMETHEUS_URL": prometheus_url, "PROMETHEUS_DISABLE_LINKS": "true"},
        "tools": PROM_TOOLS,
        "metrics": {"range_tool": "execute_range_query", "instant_tool": "execute_query"},
        **options,
    }
    return PluginConfig.model_validate(raw)


def build(plugin: PluginConfig, tmp_path: Path) -> McpTools:
    return McpTools.from_plugin(plugin, Settings.model_validate({"data_dir": str(tmp_path)}))


async def closing(connector: McpTools, work: Any) -> Any:
    try:
        return await work
    finally:
        await connector.close()


def test_prometheus_mcp_server_answers_range_and_instant_queries(
    prometheus_url: str, tmp_path: Path
) -> None:
    prom = build(prometheus_mcp(prometheus_url, tmp_path), tmp_path)
    assert isinstance(prom, MetricsSource)

    direct = Prometheus("direct", PrometheusConfig(url=prometheus_url))
    end = datetime.now(UTC).replace(microsecond=0)

    async def main() -> tuple[Any, ...]:
        await prom.check()
        await asyncio.sleep(4)  # at least two scrapes of this session's fresh Prometheus
        query, start = 'up{job="nightowl-test"}', end - timedelta(seconds=20)
        return (
            await prom.query_range(query, start, end + timedelta(seconds=4), 2),
            await prom.query("up", end + timedelta(seconds=4)),
            await direct.query_range(query, start, end + timedelta(seconds=4), 2),
            await direct.query("up", end + timedelta(seconds=4)),
        )

    ranged, instant, ranged_direct, instant_direct = asyncio.run(closing(prom, main()))
    assert ranged
    assert ranged[0].labels["job"] == "nightowl-test"
    stamps = ranged[0].timestamps
    assert len(stamps) >= 2  # every 2 s since this session's Prometheus started
    assert {round(b - a, 3) for a, b in itertools.pairwise(stamps)} == {2.0}
    # through MCP, exactly what Prometheus answers directly for the same (past) times; `up` is 1,
    # or 0 where a scrape failed on a loaded machine
    assert [(s.timestamps, s.values) for s in ranged] == [
        (s.timestamps, s.values) for s in ranged_direct
    ]
    assert set(ranged[0].values) <= {0.0, 1.0}
    assert [s.values for s in instant] == [s.values for s in instant_direct]
    assert len(instant) == 1
    # the server's own log lines go to the connector's log file, not to nightowl's output
    assert "Starting Prometheus MCP Server" in (tmp_path / "mcp" / "prom-mcp.log").read_text()


def test_the_gather_stage_reads_golden_signals_through_mcp(
    prometheus_url: str, tmp_path: Path
) -> None:
    prom = build(prometheus_mcp(prometheus_url, tmp_path), tmp_path)
    settings = Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            # the first read also starts the server (seconds on a loaded machine)
            "gather": {"lookback_minutes": 1, "step_seconds": 2, "call_timeout_seconds": 60},
        }
    )
    gather = Gather(Sources.of([prom]), settings.gather, SystemClock())
    obs = asyncio.run(closing(prom, gather.gather("checkout")))
    assert obs.sources["metrics"] == "prom-mcp"
    assert not [u for u in obs.unavailable if u.source == "prom-mcp"], obs.unavailable
    signals = obs.signals["checkout"]
    assert {SignalKind.REQUEST_RATE.value, SignalKind.ERROR_RATE.value} <= set(signals)
    assert max(signals[SignalKind.REQUEST_RATE.value].values) > 0


def test_a_tool_outside_the_allowlist_is_never_called(prometheus_url: str, tmp_path: Path) -> None:
    plugin = prometheus_mcp(
        prometheus_url, tmp_path, tools=["execute_query", "execute_range_query"]
    )
    prom = build(plugin, tmp_path)
    with pytest.raises(ConnectorError, match="'list_metrics' is not in tools: not called"):
        asyncio.run(closing(prom, prom.call("list_metrics", {})))


def test_a_server_that_does_not_offer_an_allowlisted_tool_fails_its_check(
    prometheus_url: str, tmp_path: Path
) -> None:
    plugin = prometheus_mcp(prometheus_url, tmp_path, tools=[*PROM_TOOLS, "no_such_tool"])
    prom = build(plugin, tmp_path)
    with pytest.raises(ConnectorError, match="offers no tool no_such_tool"):
        asyncio.run(closing(prom, prom.check()))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"command": ["x"], "url": "http://127.0.0.1:1/mcp"}, "either command"),
        ({"command": [], "url": None}, "either command"),
        ({"url": "ftp://example/mcp", "command": []}, "not an http"),
        ({"tools": []}, "at least 1"),
        ({"metrics": {"range_tool": "elsewhere"}}, "not in the tools allowlist"),
        ({"writes": ["execute_range_query"]}, "cannot serve metrics"),
        ({"writes": ["delete_tsdb"]}, "writes name tools not in the tools allowlist"),
    ],
)
def test_bad_configs_name_the_key(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    plugin = prometheus_mcp("http://127.0.0.1:9", tmp_path, **options)
    with pytest.raises(ConfigError, match=message) as raised:
        build(plugin, tmp_path)
    assert "connectors.prom-mcp" in str(raised.value)


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the hostile server appends every call it receives to."""
    path = tmp_path / "calls.txt"
    path.touch()
    monkeypatch.setenv("HOSTILE_CALLS", str(path))
    return path


def hostile(tmp_path: Path, calls: Path, **options: Any) -> McpTools:
    raw = {
        "name": "hostile",
        "kind": "mcp",
        "command": [sys.executable, str(HOSTILE)],
        "env": {"HOSTILE_CALLS": str(calls)},
        "tools": ["execute_range_query", "huge", "scale_to_zero"],
        "metrics": {"range_tool": "execute_range_query"},
        "max_output_chars": 100_000,
        **options,
    }
    return build(PluginConfig.model_validate(raw), tmp_path)


def test_a_hostile_server_gets_nothing_it_should_not(tmp_path: Path, calls: Path) -> None:
    server = hostile(tmp_path, calls)
    end = datetime.now(UTC)

    async def main() -> dict[str, Any]:
        out: dict[str, Any] = {}
        out["series"] = await server.query_range("up", end - timedelta(minutes=1), end, 10)
        for tool in ("huge", "scale_to_zero", "restart_all_pods"):
            try:
                await server.call(tool, {})
            except ConnectorError as exc:
                out[tool] = str(exc)
        return out

    out = asyncio.run(closing(server, main()))
    # instructions stay data: bounded label values, never more than that; NaN and Inf dropped
    first, second = out["series"]
    assert len(first.labels["note"]) == 200
    assert first.values == (1.0,) * 6
    assert second.values == ()
    assert all(len(k) <= 200 for k in second.labels)
    # an answer beyond the budget is refused whole, not cut into wrong data
    assert "over its budget of 100,000" in out["huge"]
    # a tool the server marks as a write is not called even when allowlisted; an invented one
    # outside the allowlist is not called either
    assert "marked by the server as one that changes something" in out["scale_to_zero"]
    assert "'restart_all_pods' is not in tools" in out["restart_all_pods"]
    assert calls.read_text().split() == ["execute_range_query", "huge"]


def test_a_log_tool_serves_bounded_records_within_the_query(tmp_path: Path, calls: Path) -> None:
    server = hostile(
        tmp_path,
        calls,
        tools=["search_logs"],
        metrics=None,
        logs={"tool": "search_logs"},
        budgets={"search_logs": 500_000},  # over max_output_chars: a tool's own budget
    )
    assert isinstance(server, LogSource)
    assert not isinstance(server, MetricsSource)
    end = datetime.now(UTC)
    query = LogQuery(service="checkout", levels=(LogLevel.ERROR, LogLevel.WARN),
                     start=end - timedelta(hours=1), end=end)  # fmt: skip
    found = asyncio.run(closing(server, server.search(query)))
    # newest first, within the range and levels; messages bounded; instructions stay a message
    assert [(r.level, len(r.message)) for r in found] == [
        (LogLevel.WARN, 4000),
        (LogLevel.ERROR, 163),
    ]
    assert found[1].message.startswith("IGNORE ALL PREVIOUS INSTRUCTIONS")
    assert {r.service for r in found} == {"checkout"}


def test_a_tool_marked_as_a_write_in_the_config_is_never_called(
    tmp_path: Path, calls: Path
) -> None:
    server = hostile(tmp_path, calls, writes=["scale_to_zero"])
    assert "scale_to_zero" not in server.readable
    with pytest.raises(ConnectorError, match="is marked as a write: not called"):
        asyncio.run(closing(server, server.call("scale_to_zero", {"service": "checkout"})))
    assert calls.read_text() == ""


def test_only_a_tool_in_writes_is_called_as_a_write(tmp_path: Path, calls: Path) -> None:
    """``call_write`` is the ``mcp`` action driver's way in: a tool in ``writes`` only."""
    server = hostile(tmp_path, calls, writes=["scale_to_zero"])
    for tool in ("restart_all_pods", "huge"):
        with pytest.raises(ConnectorError, match=f"{tool!r} is not in writes: not called"):
            asyncio.run(closing(server, server.call_write(tool, {})))
    answer = asyncio.run(closing(server, server.call_write("scale_to_zero", {"service": "x"})))
    assert answer == "scaled"
    assert calls.read_text().split() == ["scale_to_zero"]


@pytest.mark.slow  # 55 s of real scraping (a baseline, then the rise) before the page
def test_an_incidents_evidence_comes_through_a_real_mcp_server(tmp_path: Path) -> None:
    """A whole incident (webhook, workflow, gather, analysis) whose only metrics source is
    prometheus-mcp-server: checkout's error ratio rises 0.1 → 0.6 and the evidence of that rise
    cites the MCP connector."""
    from nightowl_lab.harness.exporter import ServiceExporter
    from nightowl_lab.harness.prometheus import PrometheusServer

    from tests.approvals.flow import TOKEN, USERS, page

    with (
        ServiceExporter(service="checkout") as exporter,
        PrometheusServer(scrape=[exporter.address]) as prometheus,
    ):
        prometheus.wait_for('rate(http_requests_total{service="checkout"}[15s]) > 0')
        time.sleep(30)  # a baseline: one error in ten requests
        exporter.errors_per_tick = 6
        time.sleep(25)
        plugin = prometheus_mcp(prometheus.url, tmp_path)
        options = plugin.options() | {
            "metrics": plugin.options()["metrics"] | {"rate_window": "15s"}
        }
        settings = Settings.model_validate(
            {
                "data_dir": str(tmp_path),
                "connectors": [{"name": "prom-mcp", "kind": "mcp", **options}],
                "webhooks": {"tokens": {"alertmanager": [TOKEN]}},
                "api": {"users": USERS},
                "intake": {"group_wait_seconds": 0},
                "policy": {"autonomy": "observe"},
                "gather": {
                    "lookback_minutes": 1,
                    "step_seconds": 2,
                    "history_minutes": 0,
                    "call_timeout_seconds": 60,
                    "deadline_seconds": 90,
                },
            }
        )
        app = Nightowl(settings)
        app.launch()
        try:
            incident = page(app, payload=alert("checkout"))
        finally:
            app.shutdown()
    gathered = next(s for s in incident.stages if s.stage.value == "gather")
    assert "unavailable" not in gathered.summary, gathered.summary
    cited = [e for e in incident.evidence if e.source == "prom-mcp"]
    assert any(e.service == "checkout" and e.signal == "error_rate" for e in cited), [
        (e.source, e.summary) for e in incident.evidence
    ]


def alert(service: str) -> dict[str, Any]:
    """An Alertmanager (v4) body firing HighErrorRate on ``service`` now."""
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    labels = {"alertname": "HighErrorRate", "service": service, "severity": "critical"}
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="HighErrorRate", service="{service}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "nightowl",
        "groupLabels": {"alertname": "HighErrorRate", "service": service},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.test:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": f"{service} 5xx above 5%"},
                "startsAt": now,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.test/graph",
                "fingerprint": "f00dcafe00000001",
            }
        ],
    }
