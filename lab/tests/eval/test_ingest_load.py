"""The workload of ``nightowl bench ingest``: grouped notifications are what Alertmanager sends
(one group each), the mixed shape stays the bench's first one, and both keep a sender's order."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from nightowl_lab.eval.ingest_load import Shape, Workload, build

from nightowl.intake.absorb import group_key_of, group_labels
from nightowl.settings.intake import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource

CONCURRENCY = 8


def _groups(workload: Workload) -> list[set[str]]:
    """Per notification, the nightowl group keys (default ``group_by``) of its alerts."""
    group_by = IntakeSettings().group_by
    source = AlertmanagerSource()
    return [
        {group_key_of(group_labels(a.labels, group_by)) for a in source.parse(body, {}).alerts}
        for body in workload.am_bodies
    ]


def test_a_grouped_notification_carries_one_group_as_alertmanager_sends_it() -> None:
    workload = build(5_000, 50, concurrency=CONCURRENCY, shape=Shape.GROUPED)
    assert all(len(keys) == 1 for keys in _groups(workload))
    for body in workload.am_bodies:
        payload = json.loads(body)
        alerts = payload["alerts"]
        first = alerts[0]["labels"]
        assert payload["groupLabels"] == {k: first[k] for k in ("alertname", "service")}
        common = payload["commonLabels"]
        assert payload["groupLabels"].items() <= common.items()
        assert all(common.items() <= a["labels"].items() for a in alerts)
        shared_elsewhere = {
            k for k, v in first.items() if all(a["labels"].get(k) == v for a in alerts)
        }
        assert set(common) == shared_elsewhere
        assert len({a["fingerprint"] for a in alerts}) == len(alerts)
    assert sum(len(json.loads(b)["alerts"]) for b in workload.am_bodies) == workload.alerts == 5_000


def test_the_mixed_shape_spans_many_groups_per_notification() -> None:
    workload = build(5_000, 50, concurrency=CONCURRENCY, shape=Shape.MIXED)
    sizes = [len(keys) for keys in _groups(workload)]
    assert min(sizes) > 25  # 50 random draws from 800 groups
    assert build(5_000, 50, concurrency=CONCURRENCY).shape is Shape.MIXED


@pytest.mark.parametrize("shape", list(Shape))
def test_a_repeat_waits_for_the_last_request_that_carried_its_alert(shape: Shape) -> None:
    workload = build(5_000, 50, concurrency=CONCURRENCY, shape=shape)
    seen: dict[str, int] = {}
    for request, body in enumerate(workload.am_bodies):
        fingerprints = [a["fingerprint"] for a in json.loads(body)["alerts"]]
        earlier = {seen[fp] for fp in fingerprints if fp in seen}
        assert set(workload.depends_on[request]) == earlier
        seen.update(dict.fromkeys(fingerprints, request))
    assert workload.duplicates > 0
    assert workload.resolved
    kinds = Counter(a["status"] for b in workload.am_bodies for a in json.loads(b)["alerts"])
    assert kinds["resolved"] == len(workload.resolved)


def test_alertmanager_gets_the_same_alerts_and_the_seed_fixes_the_workload() -> None:
    one = build(2_000, 50, concurrency=CONCURRENCY, shape=Shape.GROUPED)
    two = build(2_000, 50, concurrency=CONCURRENCY, shape=Shape.GROUPED)
    assert one.fingerprints == two.fingerprints
    assert one.depends_on == two.depends_on
    for webhook, postable in zip(one.am_bodies, one.api_bodies, strict=True):
        sent = [a["labels"] for a in json.loads(webhook)["alerts"]]
        assert [a["labels"] for a in json.loads(postable)] == sent
    other = build(2_000, 50, concurrency=CONCURRENCY, shape=Shape.GROUPED, seed=99)
    assert other.fingerprints != one.fingerprints
