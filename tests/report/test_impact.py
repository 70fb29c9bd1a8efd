"""Failed requests from the request and error rates, integrated over the degraded window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nightowl.domain import Observations, Series
from nightowl.report.impact import failed_requests
from nightowl.report.model import Impact

T0 = datetime(2026, 11, 20, 2, 50, tzinfo=UTC)


def observed(rates: list[float], errors: list[float], step: int = 60) -> Observations:
    ts = tuple(T0.timestamp() + step * i for i in range(len(rates)))
    return Observations(
        service="checkout",
        start=T0,
        end=T0 + timedelta(seconds=step * (len(rates) - 1)),
        services=("checkout",),
        signals={
            "checkout": {
                "request_rate": Series(metric="request_rate", timestamps=ts, values=tuple(rates)),
                "error_rate": Series(metric="error_rate", timestamps=ts, values=tuple(errors)),
            }
        },
    )


def test_a_steady_rate_and_error_rate_integrate_to_rate_times_share_times_time() -> None:
    obs = observed([100.0] * 11, [0.1] * 11)  # 100 req/s, 10 % failing, for 600 s

    got = failed_requests(obs, "checkout", T0, T0 + timedelta(minutes=10), 0.02, Impact())

    assert got.requests == pytest.approx(60_000)
    assert got.failed_requests == pytest.approx(6_000)
    assert got.excess_failed_requests == pytest.approx(4_800)  # above the normal 2 %
    assert "11 samples from 02:50:00 to 03:00:00 UTC" in got.method
    assert "(2.00%)" in got.method


def test_the_window_clips_the_samples_and_a_ramp_uses_the_trapezoid_rule() -> None:
    obs = observed([100.0] * 5, [0.0, 0.0, 0.1, 0.2, 0.2])

    got = failed_requests(
        obs, "checkout", T0 + timedelta(minutes=1), T0 + timedelta(minutes=3), None, Impact()
    )

    # samples at 1, 2, 3 min: 60 s × 100 × (0 + 0.1) / 2 + 60 s × 100 × (0.1 + 0.2) / 2
    assert got.failed_requests == pytest.approx(300 + 900)
    assert got.requests == pytest.approx(12_000)


def test_without_both_rates_nothing_is_made_up() -> None:
    obs = observed([100.0] * 3, [0.1] * 3)
    only_rate = obs.model_copy(
        update={"signals": {"checkout": {"request_rate": obs.signals["checkout"]["request_rate"]}}}
    )
    base = Impact(services=("checkout",))

    assert failed_requests(None, "checkout", T0, T0 + timedelta(minutes=5), None, base) == base
    assert failed_requests(only_rate, "checkout", T0, T0 + timedelta(minutes=5), None, base) == base
    assert failed_requests(obs, "payments", T0, T0 + timedelta(minutes=5), None, base) == base
    one_sample = failed_requests(obs, "checkout", T0, T0, None, base)
    assert one_sample == base
