"""A finding's identity: the default fingerprint names watcher, kind and resource; a watcher may
give its own for several findings on one resource."""

from __future__ import annotations

from nightowl.domain.findings import Finding, FindingState, fingerprint_of


def test_the_default_fingerprint_is_stable_and_tells_resources_apart() -> None:
    a = Finding(watcher="drift", kind="drift", resource="aws_lb.web", title="t")
    b = Finding(watcher="drift", kind="drift", resource="aws_lb.web", title="other title")
    c = Finding(watcher="drift", kind="drift", resource="aws_lb.api", title="t")
    assert a.fingerprint == b.fingerprint == fingerprint_of("drift", "drift", "aws_lb.web")
    assert a.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 24


def test_a_given_fingerprint_is_kept_and_new_findings_are_active() -> None:
    given = fingerprint_of("cve", "image:web", "CVE-2024-1")
    f = Finding(watcher="cve", kind="cve", resource="image:web", title="t", fingerprint=given)
    assert f.fingerprint == given
    assert f.active
    assert not f.model_copy(update={"state": FindingState.FIXED}).active


def test_the_estate_kpis_count_drift_its_age_and_costs() -> None:
    from datetime import UTC, datetime, timedelta

    from nightowl.domain.findings import estate_kpis

    now = datetime(2030, 1, 10, tzinfo=UTC)
    old = Finding(
        watcher="d", kind="drift", resource="a", title="t", first_seen=now - timedelta(days=9)
    )
    new = Finding(
        watcher="d", kind="drift", resource="b", title="t", first_seen=now - timedelta(days=1),
        monthly_cost_delta=25.0,
    )  # fmt: skip
    saving = Finding(
        watcher="r", kind="rightsizing", resource="c", title="t", first_seen=now - timedelta(days=2),
        monthly_cost_delta=-100.0,
    )  # fmt: skip
    kpis = estate_kpis([old, new, saving], [411.99], now)
    assert (kpis.drift_open, kpis.findings_open) == (2, 3)
    assert kpis.drift_oldest_age_seconds == 9 * 86400
    assert kpis.cost_delta_week == -75.0  # only the findings of the last 7 days
    assert (kpis.savings_proposed_monthly, kpis.actions_cost_monthly) == (100.0, 411.99)
