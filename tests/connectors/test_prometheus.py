"""The Prometheus connector against REAL servers: Prometheus and VictoriaMetrics (Debian packages
``prometheus`` and ``victoria-metrics``), started on loopback by the fixtures, both scraping a real
prometheus-client exporter every second. Every test runs against both backends."""

from __future__ import annotations

import itertools
from asyncio import run
from datetime import UTC, datetime, timedelta, timezone

import pytest
from nightowl_lab.harness.ports import free_port

from nightowl.connectors.prometheus import Prometheus, PrometheusConfig
from nightowl.domain import SignalKind
from nightowl.errors import ConnectorError

UP = 'sum(http_requests_total{service="checkout"})'


def connector(url: str, **options: object) -> Prometheus:
    return Prometheus("prom", PrometheusConfig.model_validate({"url": url, **options}))


def test_instant_query_reads_the_exported_counter(metrics_url: str) -> None:
    series = run(connector(metrics_url).query(UP, datetime.now(UTC)))
    assert len(series) == 1
    assert len(series[0].values) == 1
    assert series[0].values[0] > 0


def test_range_query_returns_points_every_step(metrics_url: str) -> None:
    end = datetime.now(UTC)
    series = run(connector(metrics_url).query_range(UP, end - timedelta(seconds=20), end, 2))
    assert len(series) == 1
    stamps = series[0].timestamps
    assert len(stamps) >= 2
    # points sit on the 2 s grid; a scrape that failed on a loaded machine leaves a stale gap
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(round(gap / 2) >= 1 and gap == pytest.approx(2 * round(gap / 2)) for gap in gaps), (
        gaps
    )
    assert any(gap == pytest.approx(2) for gap in gaps), gaps
    assert list(series[0].values) == sorted(series[0].values)  # a counter only grows


def test_golden_signals_follow_the_default_conventions(metrics_url: str) -> None:
    end = datetime.now(UTC)
    signals = run(
        connector(metrics_url, rate_window="1m").service_signals(
            "checkout", end - timedelta(seconds=30), end, 5
        )
    )
    assert set(signals) == set(SignalKind)
    assert signals[SignalKind.ERROR_RATE].values[-1] == pytest.approx(0.1, abs=0.02)
    # every request takes 0.3s: the p99 falls in the (0.25, 0.5] bucket
    assert 0.25 < signals[SignalKind.LATENCY_P99].values[-1] <= 0.5
    assert signals[SignalKind.MEMORY].values[-1] == 123_456_789
    assert signals[SignalKind.REQUEST_RATE].values[-1] > 0
    assert signals[SignalKind.CPU].values[-1] > 0
    assert signals[SignalKind.MEMORY].labels["service"] == "checkout"


def test_an_unknown_service_has_no_signals(metrics_url: str) -> None:
    end = datetime.now(UTC)
    assert (
        run(connector(metrics_url).service_signals("nobody", end - timedelta(minutes=1), end, 5))
        == {}
    )


def test_custom_templates_replace_the_defaults(metrics_url: str) -> None:
    end = datetime.now(UTC)
    custom = {"memory": 'max(process_resident_memory_bytes{service="{service}"}) / 1e6'}
    signals = run(
        connector(metrics_url, signals=custom).service_signals(
            "checkout", end - timedelta(seconds=10), end, 5
        )
    )
    assert signals[SignalKind.MEMORY].values[-1] == pytest.approx(123.456789)


def test_time_zones_do_not_change_the_answer(metrics_url: str) -> None:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=2)
    start = end - timedelta(seconds=10)
    tokyo = timezone(timedelta(hours=9))
    prom = connector(metrics_url)
    in_utc = run(prom.query_range(UP, start, end, 2))
    in_tokyo = run(prom.query_range(UP, start.astimezone(tokyo), end.astimezone(tokyo), 2))
    assert in_utc[0].timestamps == in_tokyo[0].timestamps


def test_clock_skew_shifts_queries_and_results_back(metrics_url: str) -> None:
    """A server 1 hour ahead: asking for 'now' must read the server's now+1h (no data yet), and a
    negative skew maps the server's timestamps back onto nightowl's clock."""
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=2)
    start = end - timedelta(seconds=10)
    ahead = run(connector(metrics_url, clock_skew_seconds=3600).query_range(UP, start, end, 2))
    assert ahead == []
    behind = run(connector(metrics_url, clock_skew_seconds=-5).query_range(UP, start, end, 2))
    assert behind[0].timestamps[0] >= start.timestamp()
    assert behind[0].timestamps[-1] <= end.timestamp()


def test_a_bad_query_names_the_connector_url_and_answer(metrics_url: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        run(connector(metrics_url).query("sum(", datetime.now(UTC)))
    message = str(caught.value)
    assert "connector 'prom'" in message
    assert metrics_url in message
    assert "400" in message or "422" in message
    assert "\n" not in message
    assert not caught.value.retryable


def test_naive_datetimes_are_refused(metrics_url: str) -> None:
    with pytest.raises(ConnectorError, match="naive datetime"):
        run(connector(metrics_url).query(UP, datetime.now()))


def test_a_dead_port_is_one_clear_retryable_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectorError) as caught:
        run(connector(url).check())
    assert f"cannot reach {url}/api/v1/query" in str(caught.value)
    assert caught.value.retryable


def test_check_passes_against_the_live_server(metrics_url: str) -> None:
    run(connector(metrics_url).check())
