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
