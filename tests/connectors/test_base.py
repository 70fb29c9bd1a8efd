"""What every connector shares: options validated with the bad key named, and clock skew applied
both ways with naive datetimes and inverted ranges refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from nightowl.connectors.base import Skew, parse_options
from nightowl.connectors.http import HttpConfig
from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def test_options_are_validated_into_the_connectors_model() -> None:
    plugin = PluginConfig.model_validate(
        {"name": "prom", "kind": "prometheus", "url": "http://p:9090/", "timeout_seconds": 3}
    )
    config = parse_options(HttpConfig, plugin)
    assert (config.url, config.timeout_seconds) == ("http://p:9090", 3.0)


def test_a_bad_option_names_the_connector_and_the_key() -> None:
    plugin = PluginConfig.model_validate(
        {"name": "prom", "kind": "prometheus", "url": "http://p", "timeout_seconds": -1}
    )
    with pytest.raises(
        ConfigError, match=r"^connectors\.prom\.timeout_seconds: .*\(kind prometheus\)"
    ):
        parse_options(HttpConfig, plugin)
    unknown = PluginConfig.model_validate(
        {"name": "prom", "kind": "prometheus", "url": "http://p", "uri": "x"}
    )
    with pytest.raises(ConfigError, match=r"connectors\.prom\.uri"):
        parse_options(HttpConfig, unknown)


def test_skew_shifts_queries_into_the_backends_time_and_results_back() -> None:
    skew = Skew("logs", 90)  # the backend's clock runs 90 s ahead
    berlin = AT.astimezone(timezone(timedelta(hours=1)))
    assert skew.outbound(berlin) == AT + timedelta(seconds=90)
    assert skew.outbound(berlin).tzinfo is UTC
    assert skew.inbound(AT + timedelta(seconds=90)) == AT
    assert skew.inbound_seconds(AT.timestamp() + 90) == AT.timestamp()
    assert skew.window(AT, AT + timedelta(minutes=5)) == (
        AT + timedelta(seconds=90),
        AT + timedelta(minutes=5, seconds=90),
    )


def test_naive_datetimes_and_inverted_ranges_are_refused_for_good() -> None:
    skew = Skew("logs", 0)
    with pytest.raises(ConnectorError, match="naive datetime") as naive:
        skew.outbound(datetime(2026, 11, 20, 3, 0))
    with pytest.raises(ConnectorError, match="inverted") as inverted:
        skew.window(AT, AT - timedelta(seconds=1))
    assert naive.value.retryable is False
    assert inverted.value.retryable is False
    assert str(naive.value).startswith("connector 'logs'")
